package dev.herald.server.webhook;

import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes an event as an HTTP message per the CloudEvents HTTP protocol binding 1.0: binary mode
 * ({@code ce-*} headers, body = data, {@code Content-Type} = {@code datacontenttype}) or structured
 * mode (body = the event in JSON).
 */
public final class CloudEventHttp {

    /** The headers and body of one event. */
    public record Message(Map<String, String> headers, byte[] body) {
    }

    private CloudEventHttp() {
    }

    /** The event in the given mode; structured mode serialises it. */
    public static Message encode(CloudEvent event, ContentMode mode) {
        return mode == ContentMode.STRUCTURED ? structured(JsonEvents.write(event)) : binary(event);
    }

    /**
     * The event in the given mode, its structured form already at hand (the bytes a transport stored):
     * structured mode sends exactly those bytes, so what was stored is what is signed and sent.
     *
     * @param json the event in the JSON structured format, asked for in structured mode only; not copied,
     *             so the array must not be modified
     */
    public static Message encode(CloudEvent event, Supplier<byte[]> json, ContentMode mode) {
        return mode == ContentMode.STRUCTURED ? structured(json.get()) : binary(event);
    }

    private static Message structured(byte[] json) {
        return new Message(Map.of("content-type", JsonEvents.STRUCTURED + "; charset=utf-8"), json);
    }

    private static Message binary(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", event.getSpecVersion().toString());
        headers.put("ce-id", encodeValue(event.getId()));
        headers.put("ce-source", encodeValue(event.getSource().toString()));
        headers.put("ce-type", encodeValue(event.getType()));
        if (event.getSubject() != null) {
            headers.put("ce-subject", encodeValue(event.getSubject()));
        }
        if (event.getTime() != null) {
            headers.put("ce-time", event.getTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        }
        if (event.getDataSchema() != null) {
            headers.put("ce-dataschema", encodeValue(event.getDataSchema().toString()));
        }
        for (String name : event.getExtensionNames()) {
            Object value = event.getExtension(name);
            if (value != null) {
                headers.put("ce-" + name, encodeValue(extensionText(value)));
            }
        }
        CloudEventData data = event.getData();
        byte[] body = data == null ? new byte[0] : data.toBytes();
        if (event.getDataContentType() != null) {
            headers.put("content-type", event.getDataContentType());
        } else if (body.length > 0) {
            headers.put("content-type", "application/json");
        }
        return new Message(headers, body);
    }

    private static String extensionText(Object value) {
        return switch (value) {
            case byte[] bytes -> Base64.getEncoder().encodeToString(bytes);
            case OffsetDateTime time -> time.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            case URI uri -> uri.toString();
            default -> value.toString();
        };
    }

    /**
     * Percent-encodes a header value as the binding requires: space, double quote, percent and every
     * byte outside printable ASCII (after UTF-8 encoding).
     */
    static String encodeValue(String value) {
        boolean plain = true;
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c > 0x20 && c < 0x7F && c != '"' && c != '%';
        }
        if (plain) {
            return value;
        }
        StringBuilder encoded = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && c != '"' && c != '%') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return encoded.toString();
    }
}
