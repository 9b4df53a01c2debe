package dev.herald.server.state;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only the server's user may read or write (mode 0600): the server database and the secret key
 * file. On file systems without POSIX permissions (Windows) the files keep the directory's access rules.
 */
final class OwnerOnlyFiles {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFiles() {
    }

    /**
     * Creates {@code file} with mode 0600 when missing, and narrows an existing file to 0600 (a file made
     * by an older version, or by a wider umask).
     *
     * @return whether the file was created
     */
    static boolean ensure(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        boolean posix = Files.getFileAttributeView(file.toAbsolutePath().getParent(), PosixFileAttributeView.class)
                != null;
        boolean created;
        try {
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(file);
            }
            created = true;
        } catch (FileAlreadyExistsException e) {
            created = false;
        }
        if (posix && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        return created;
    }
}
