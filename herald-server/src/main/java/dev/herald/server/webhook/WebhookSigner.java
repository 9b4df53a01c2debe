package dev.herald.server.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests per the Standard Webhooks specification: the signed content is
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, the signature {@code v1,<base64 HMAC-SHA256>},
 * and the {@code webhook-signature} header holds one signature per valid secret, separated by
 * spaces (so that receivers keep working while a secret is rotated).
 */
public final class WebhookSigner {

    /** Header: the message id (Herald sends the event id; the same on every retry). */
    public static final String ID_HEADER = "webhook-id";
    /** Header: when this attempt was signed, in Unix seconds. */
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    /** Header: the signatures. */
    public static final String SIGNATURE_HEADER = "webhook-signature";

    private WebhookSigner() {
    }

    /** The {@code webhook-signature} header value for these secrets, newest first. */
    public static String signatureHeader(List<WebhookSecret> secrets, String id, long timestampSeconds,
                                         byte[] body) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no secret to sign with");
        }
        StringJoiner header = new StringJoiner(" ");
        for (WebhookSecret secret : secrets) {
            header.add(sign(secret, id, timestampSeconds, body));
        }
        return header.toString();
    }

    /** One signature: {@code v1,} + base64(HMAC-SHA256(key, id.timestamp.body)). */
    public static String sign(WebhookSecret secret, String id, long timestampSeconds, byte[] body) {
        Mac mac = secret.newMac();
        mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
        mac.update(body);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
    }

    /** HMAC-SHA256 keyed with {@code key}. */
    static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
