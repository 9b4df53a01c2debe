package dev.herald.server.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Where the key of the {@link SecretBox} comes from: {@code HERALD_SECRET_KEY} (base64 of 32 bytes)
 * when set, else the key file {@code <data>/secret.key}, created with mode 0600 and a random key at the
 * first start. Keys being rotated out are given in {@code HERALD_SECRET_KEY_PREVIOUS} (comma-separated
 * base64); they only decrypt. Environment only, never the configuration file: a key must not sit in a
 * file that is shared or versioned.
 */
public final class SecretKeys {

    /** Environment variable holding the current key (base64 of 32 bytes). */
    public static final String KEY_ENV = "HERALD_SECRET_KEY";
    /** Environment variable holding keys being rotated out (comma-separated base64). */
    public static final String PREVIOUS_ENV = "HERALD_SECRET_KEY_PREVIOUS";
    /** The key file's name in the data directory. */
    public static final String KEY_FILE = "secret.key";

    private SecretKeys() {
    }

    /**
     * The box for a data directory.
     *
     * @param key      {@code HERALD_SECRET_KEY}'s value, if set
     * @param previous {@code HERALD_SECRET_KEY_PREVIOUS}'s value, if set
     * @throws IllegalArgumentException naming the variable or file whose key is not base64 of 32 bytes
     */
    public static SecretBox load(Path dataDir, Optional<String> key, Optional<String> previous) {
        byte[] current = key.filter(k -> !k.isBlank()).map(k -> decode(k, KEY_ENV))
                .orElseGet(() -> keyFile(dataDir.resolve(KEY_FILE)));
        List<byte[]> old = new ArrayList<>();
        for (String text : previous.orElse("").split(",")) {
            if (!text.isBlank()) {
                old.add(decode(text, PREVIOUS_ENV));
            }
        }
        return SecretBox.of(current, old);
    }

    /** Checks a key's text without loading anything: the message names the variable and the rule. */
    public static void check(String text, String variable) {
        decode(text, variable);
    }

    private static byte[] keyFile(Path file) {
        try {
            if (OwnerOnlyFiles.ensure(file)) {
                String encoded = Base64.getEncoder().encodeToString(SecretBox.generateKey());
                Files.writeString(file, encoded + System.lineSeparator(), StandardCharsets.US_ASCII);
                return decode(encoded, file.toString());
            }
            return decode(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key file " + file.toAbsolutePath(), e);
        }
    }

    private static byte[] decode(String text, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " must be the base64 of " + SecretBox.KEY_BYTES
                    + " random bytes (generate one with: openssl rand -base64 32)");
        }
        if (key.length != SecretBox.KEY_BYTES) {
            throw new IllegalArgumentException(where + " must be the base64 of " + SecretBox.KEY_BYTES
                    + " random bytes, got " + key.length + " bytes (generate one with: openssl rand -base64 32)");
        }
        return key;
    }
}
