package dev.herald.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;

/** The server's JSON: one mapper, responses written as bytes with an explicit media type. */
public final class Json {

    /** The shared mapper (thread-safe once configured). */
    public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** {@code application/json}. */
    public static final String MEDIA_TYPE = "application/json";

    private Json() {
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Writes {@code body} as the response with {@code status}. */
    public static void respond(Context ctx, int status, Object body) {
        respond(ctx, status, MEDIA_TYPE, body);
    }

    /** Writes {@code body} as JSON with the given media type. */
    public static void respond(Context ctx, int status, String mediaType, Object body) {
        try {
            ctx.status(status).contentType(mediaType).result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a response", e);
        }
    }

    /**
     * Parses a request body that must be a JSON object.
     *
     * @throws Problem 400 naming the line and column when it is not
     */
    public static ObjectNode readObject(byte[] body, String what) {
        JsonNode node = read(body, what);
        if (!(node instanceof ObjectNode object)) {
            throw new Problem(400, "Invalid request body", what + " must be a JSON object",
                    List.of(new dev.herald.event.Violation("body", "must be a JSON object",
                            node == null ? null : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT))));
        }
        return object;
    }

    /** Parses a request body as any JSON value. */
    public static JsonNode read(byte[] body, String what) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new Problem(400, "Invalid request body", what + " is empty; expected JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new Problem(400, "Invalid request body", what + " is not valid JSON" + at + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading from a byte array cannot fail", e);
        }
    }
}
