package dev.herald.server.state;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets the server keeps (webhook signing secrets, credential headers) before they are
 * written to the server database, with AES-256-GCM from the JDK: a random 96-bit nonce per value,
 * a 128-bit tag, and the value's place (for example {@code subscription ci-hook secret}) as
 * associated data, so that a sealed value copied into another row or column does not open.
 *
 * <p>A sealed value is text: {@code sealed:v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>}. The key
 * id is the first 4 bytes of the key's SHA-256, in hex: it names the key without revealing it, so a
 * value sealed with an older key is recognised and opened with that key. The box holds one current
 * key, which seals, and any number of previous keys, which only open — the keyring rotation of Vault's
 * transit engine and Kafka's password encoder: start with a new current key and the old one as
 * previous, re-seal every stored value ({@link #needsResealing}), then drop the old key.
 *
 * <p>Values written before encryption existed are plaintext; {@link #open} returns them unchanged and
 * {@link #needsResealing} reports them, so they are sealed at the next start.
 */
public final class SecretBox {

    /** The prefix of every sealed value, with its format version. */
    public static final String PREFIX = "sealed:v1:";
    /** The key length: AES-256. */
    public static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    private final Map<String, SecretKey> keys;

    private SecretBox(byte[] current, List<byte[]> previous) {
        Map<String, SecretKey> all = new LinkedHashMap<>();
        this.currentId = keyId(current);
        all.put(currentId, new SecretKeySpec(current, "AES"));
        for (byte[] key : previous) {
            all.putIfAbsent(keyId(key), new SecretKeySpec(key, "AES"));
        }
        this.keys = Map.copyOf(all);
    }

    /**
     * A box sealing with {@code current} and opening with it and every previous key.
     *
     * @throws IllegalArgumentException when a key is not {@value #KEY_BYTES} bytes long
     */
    public static SecretBox of(byte[] current, List<byte[]> previous) {
        requireKey(current, "the secret key");
        List<byte[]> copies = new ArrayList<>();
        for (byte[] key : previous) {
            requireKey(key, "a previous secret key");
            copies.add(key.clone());
        }
        return new SecretBox(current.clone(), copies);
    }

    /** A new random key. */
    public static byte[] generateKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /** The id of the key that seals (what sealed values name). */
    public String currentKeyId() {
        return currentId;
    }

    /** The id of a key: the first 4 bytes of its SHA-256, in hex. */
    public static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Encrypts a value with the current key.
     *
     * @param context where the value is stored; the same context must be given to {@link #open}
     */
    public String seal(String plaintext, String context) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, context);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt with AES-GCM", e);
        }
    }

    /**
     * Decrypts a sealed value; a plaintext value (stored before encryption existed) is returned as is.
     *
     * @throws SecretBoxException when the value names a key this box does not hold, or does not open
     *                            (altered, or moved from another context)
     */
    public String open(String stored, String context) {
        Objects.requireNonNull(stored, "stored");
        if (!stored.startsWith(PREFIX)) {
            return stored;
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new SecretBoxException("the sealed value of " + context + " is malformed (no key id)");
        }
        String id = rest.substring(0, colon);
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new SecretBoxException("the value of " + context + " is sealed with key " + id
                    + ", which is neither the current secret key (" + currentId + ") nor a previous one; "
                    + "give that key in HERALD_SECRET_KEY_PREVIOUS");
        }
        try {
            byte[] in = Base64.getDecoder().decode(rest.substring(colon + 1));
            if (in.length < NONCE_BYTES + TAG_BITS / 8) {
                throw new SecretBoxException("the sealed value of " + context + " is too short");
            }
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(in, NONCE_BYTES), context);
            byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new SecretBoxException("the sealed value of " + context + " does not open with key " + id
                    + " (altered, or copied from elsewhere)", e);
        }
    }

    /** Whether a stored value is plaintext or sealed with a key other than the current one. */
    public boolean needsResealing(String stored) {
        return stored != null && !stored.startsWith(PREFIX + currentId + ":");
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String context)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static void requireKey(byte[] key, String what) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException(what + " must be " + KEY_BYTES + " bytes (AES-256), got "
                    + (key == null ? "none" : key.length));
        }
    }

    /** Never a key. */
    @Override
    public String toString() {
        return "SecretBox[current key " + currentId + ", " + (keys.size() - 1) + " previous]";
    }
}
