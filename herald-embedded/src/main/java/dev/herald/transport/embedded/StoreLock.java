package dev.herald.transport.embedded;

import dev.herald.transport.TransportException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on {@code <store>.lock}, held while a transport has the store open.
 *
 * <p>The store belongs to one process: leases of a previous process are released on open, which is
 * only right if that process is gone. SQLite's own locks cannot say that (another process may simply
 * be between transactions), so this lock makes a second opener fail at once instead. The OS drops
 * the lock when the process dies, also on {@code kill -9}, so a crash never leaves the store locked.
 * The lock file itself is never deleted: deleting it would let a later opener lock a new file while
 * an earlier one still holds the old.
 */
final class StoreLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static StoreLock acquire(Path storeFile) {
        Path lockFile = storeFile.resolveSibling(storeFile.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new TransportException("the store " + storeFile + " is open in another process");
            }
            return new StoreLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new TransportException("the store " + storeFile + " is already open in this process", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new TransportException("cannot lock " + lockFile, e);
        } catch (TransportException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases the lock as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing left to release: the lock, if any, goes with the channel.
            }
        }
    }
}
