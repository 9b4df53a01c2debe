package dev.herald.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP/1.1 request of a load run ({@link HttpLoad}): method, path, headers and body, written to a
 * kept-alive connection as is. {@code Host} and {@code Content-Length} are added when written; nothing
 * else is, so what the server receives is exactly what the benchmark chose to send.
 *
 * <pre>{@code
 * LoadRequest health = LoadRequest.get("/healthz");
 * LoadRequest publish = LoadRequest.post("/v1/events", "application/cloudevents+json", body)
 *         .withHeader("Authorization", "Bearer " + token);
 * }</pre>
 *
 * @param method  the request method
 * @param path    the path and query, starting with {@code /}
 * @param headers the header fields besides {@code Host} and {@code Content-Length}, in order
 * @param body    the body; empty for none
 */
public record LoadRequest(String method, String path, Map<String, String> headers, byte[] body) {

    private static final byte[] CRLF = {'\r', '\n'};

    public LoadRequest {
        Objects.requireNonNull(method, "method");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /: " + path);
        }
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Objects.requireNonNull(body, "body");
    }

    /** {@code GET path}, no headers. */
    public static LoadRequest get(String path) {
        return new LoadRequest("GET", path, Map.of(), new byte[0]);
    }

    /** {@code POST path} with this body and {@code Content-Type}. */
    public static LoadRequest post(String path, String contentType, byte[] body) {
        return new LoadRequest("POST", path, Map.of("Content-Type", contentType), body);
    }

    /** This request with one more header (or this one's value replaced). */
    public LoadRequest withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new LoadRequest(method, path, more, body);
    }

    /** This request with another body (and the same headers). */
    public LoadRequest withBody(byte[] newBody) {
        return new LoadRequest(method, path, headers, newBody);
    }

    /** Writes the request line, headers and body; the caller flushes. */
    void writeTo(OutputStream out, String host) throws IOException {
        StringBuilder head = new StringBuilder(128 + 48 * headers.size());
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(CRLF);
        out.write(body);
    }
}
