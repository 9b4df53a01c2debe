package dev.herald.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.InvalidEventException;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.Bodies;
import dev.herald.server.http.Json;
import dev.herald.server.http.MediaTypes;
import dev.herald.server.http.Problem;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The CloudEvents HTTP protocol binding (1.0.2) for requests: reads the events of a request in any of
 * its three modes.
 * <ul>
 *   <li><b>binary</b>: attributes in {@code ce-*} headers (percent-decoded), the body is the data and
 *       {@code Content-Type} its {@code datacontenttype};</li>
 *   <li><b>structured</b>: {@code Content-Type: application/cloudevents+json}, the body is one event;</li>
 *   <li><b>batch</b>: {@code Content-Type: application/cloudevents-batch+json}, a JSON array of events.</li>
 * </ul>
 * Binary mode is recognised by the {@code ce-specversion} header. Every envelope problem comes back
 * as a 400 listing all violations; a body over the limit is a 413; any other media type a 415.
 */
final class HttpEvents {

    /**
     * The request's events and the mode they came in, each with its structured form (the request's own
     * bytes of it where they can be stored as they came, see {@link JsonEvents#readEncodedBatch}).
     */
    record Parsed(Mode mode, List<EncodedEvent> encoded) {

        /** The events alone, in request order. */
        List<CloudEvent> events() {
            return EncodedEvent.events(encoded);
        }
    }

    /** How the events were sent. */
    enum Mode {
        BINARY, STRUCTURED, BATCH;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String ACCEPTED_TYPES = JsonEvents.STRUCTURED + ", " + JsonEvents.BATCH
            + ", application/json (binary mode with ce-* headers)";

    private final JsonEvents json;
    private final ServerConfig config;

    HttpEvents(JsonEvents json, ServerConfig config) {
        this.json = json;
        this.config = config;
    }

    Parsed read(Context ctx) {
        String type = MediaTypes.requestType(ctx);
        if (type.equals(JsonEvents.STRUCTURED)) {
            byte[] body = Bodies.read(ctx, config.get(ServerConfig.MAX_EVENT_BYTES), "a structured event");
            return new Parsed(Mode.STRUCTURED, List.of(json.readEncodedEvent(body)));
        }
        if (type.equals(JsonEvents.BATCH)) {
            byte[] body = Bodies.read(ctx, config.get(ServerConfig.MAX_REQUEST_BYTES), "a batch");
            List<EncodedEvent> events = json.readEncodedBatch(body);
            if (events.size() > config.get(ServerConfig.MAX_BATCH_EVENTS)) {
                throw new Problem(413, "Batch too large", "a batch may hold at most " + config.get(ServerConfig.MAX_BATCH_EVENTS)
                        + " events; this one has " + events.size());
            }
            return new Parsed(Mode.BATCH, events);
        }
        if (ctx.header("ce-specversion") != null) {
            return new Parsed(Mode.BINARY, List.of(binary(ctx, type)));
        }
        if (MediaTypes.isJson(type)) {
            byte[] body = Bodies.read(ctx, config.get(ServerConfig.MAX_EVENT_BYTES), "an event");
            throw missingHeaders(body);
        }
        throw new Problem(415, "Unsupported media type", (type.isEmpty() ? "the request has no Content-Type"
                : "Content-Type " + type + " is not a CloudEvents format") + "; send " + ACCEPTED_TYPES)
                .header("Accept-Post", JsonEvents.STRUCTURED + ", " + JsonEvents.BATCH + ", application/json");
    }

    /**
     * Binary mode: the envelope from the headers, the data from the body, written as one structured
     * event and read like one (those bytes are its stored form).
     */
    private EncodedEvent binary(Context ctx, String type) {
        if (!type.isEmpty() && !MediaTypes.isJson(type)) {
            throw new Problem(415, "Unsupported media type", "Content-Type " + type + " is not JSON; Herald events "
                    + "carry JSON data (application/json or a +json type)")
                    .header("Accept-Post", JsonEvents.STRUCTURED + ", " + JsonEvents.BATCH + ", application/json");
        }
        byte[] body = Bodies.read(ctx, config.get(ServerConfig.MAX_EVENT_BYTES), "an event");
        ObjectNode event = Json.object();
        List<Violation> violations = new ArrayList<>();
        for (String header : Collections.list(ctx.req().getHeaderNames())) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("ce-") || lower.length() == 3 || lower.equals("ce-datacontenttype")) {
                continue;
            }
            String attribute = lower.substring(3);
            String value = ctx.req().getHeader(header);
            try {
                event.put(attribute, percentDecode(value));
            } catch (IllegalArgumentException e) {
                violations.add(new Violation(attribute, "header ce-" + attribute + " is not valid percent-encoded "
                        + "UTF-8", value));
            }
        }
        if (!type.isEmpty()) {
            event.put("datacontenttype", ctx.header("Content-Type").strip());
        }
        if (body.length > 0) {
            if (type.isEmpty()) {
                throw new Problem(415, "Unsupported media type", "a binary-mode event with data needs a Content-Type"
                        + " (its datacontenttype), e.g. application/json")
                        .header("Accept-Post", JsonEvents.STRUCTURED + ", " + JsonEvents.BATCH + ", application/json");
            }
            try {
                event.set("data", Json.MAPPER.readTree(body));
            } catch (JsonProcessingException e) {
                String at = e.getLocation() == null ? ""
                        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
                violations.add(new Violation("data", "malformed JSON" + at + ": " + e.getOriginalMessage(), null));
            } catch (IOException e) {
                throw new IllegalStateException("reading from a byte array cannot fail", e);
            }
        }
        EncodedEvent parsed = null;
        try {
            parsed = json.readEncodedEvent(Json.MAPPER.writeValueAsBytes(event));
        } catch (InvalidEventException e) {
            violations.addAll(e.violations());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
        if (!violations.isEmpty()) {
            throw new InvalidEventException(violations);
        }
        return parsed;
    }

    private static Problem missingHeaders(byte[] body) {
        List<Violation> missing = new ArrayList<>();
        for (String attribute : List.of("specversion", "id", "source", "type")) {
            missing.add(Violation.missing("ce-" + attribute, "header is required in binary mode"));
        }
        String hint = "";
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node != null && node.isObject() && node.has("specversion")) {
                hint = "; the body looks like a structured event: send it with Content-Type: " + JsonEvents.STRUCTURED;
            } else if (node != null && node.isArray()) {
                hint = "; the body is an array: send a batch with Content-Type: " + JsonEvents.BATCH;
            }
        } catch (IOException ignored) {
            // No hint for a body that is not JSON.
        }
        return new Problem(400, "Missing CloudEvents attributes", "a JSON body without ce-* headers is not an event"
                + hint, missing);
    }

    /** Decodes {@code %XX} sequences as UTF-8 (the binding's header encoding); other characters stay. */
    static String percentDecode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); ) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape");
                }
                out.write(hi * 16 + lo);
                i += 3;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                i++;
            }
        }
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8", e);
        }
    }
}
