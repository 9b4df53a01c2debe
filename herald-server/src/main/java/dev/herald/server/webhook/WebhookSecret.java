package dev.herald.server.webhook;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;

/**
 * A webhook signing secret in the Standard Webhooks form: {@code whsec_} followed by the base64 of
 * 24 to 64 random bytes. The bytes after decoding are the HMAC key; the string is what receivers
 * configure in their verification library.
 */
public final class WebhookSecret {

    /** The prefix every secret carries. */
    public static final String PREFIX = "whsec_";
    /** The fewest key bytes accepted (the Standard Webhooks minimum). */
    public static final int MIN_BYTES = 24;
    /** The most key bytes accepted. */
    public static final int MAX_BYTES = 64;
    private static final int GENERATED_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String text;
    private final byte[] key;
    /** HMAC-SHA256 keyed with this secret, never updated: each signature starts from a clone of it. */
    private volatile Mac keyed;

    private WebhookSecret(String text, byte[] key) {
        this.text = text;
        this.key = key;
    }

    /** A new random secret of 32 bytes. */
    public static WebhookSecret generate() {
        byte[] key = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(key);
        return new WebhookSecret(PREFIX + Base64.getEncoder().encodeToString(key), key);
    }

    /**
     * Reads a secret given as {@code whsec_<base64>}.
     *
     * @throws IllegalArgumentException naming the rule the text breaks
     */
    public static WebhookSecret parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("must start with " + PREFIX + " followed by base64");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the part after " + PREFIX + " must be standard base64: "
                    + e.getMessage());
        }
        if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
            throw new IllegalArgumentException("must decode to " + MIN_BYTES + " to " + MAX_BYTES
                    + " bytes, got " + key.length);
        }
        return new WebhookSecret(text, key);
    }

    /**
     * A fresh HMAC-SHA256 keyed with this secret. Looking the algorithm up and keying it cost as much as
     * hashing a whole event, on every attempt; a clone of one keyed instance skips both.
     */
    Mac newMac() {
        Mac prototype = keyed;
        if (prototype == null) {
            prototype = WebhookSigner.hmac(key);
            keyed = prototype;
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return WebhookSigner.hmac(key); // a provider whose Mac cannot be cloned: key a new one each time
        }
    }

    /** The {@code whsec_…} text. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WebhookSecret that && that.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** Never the secret itself, so that it cannot end up in a log by accident. */
    @Override
    public String toString() {
        return PREFIX + "…";
    }
}
