package dev.herald.tck;

import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Events the kit publishes: small probes, keyed probes, fully attributed events, sized events. */
public final class TestEvents {

    /** The type of every probe event. */
    public static final String TYPE = "dev.herald.tck.probe";
    /** The source of every probe event. */
    public static final String SOURCE = "urn:herald:tck";

    private TestEvents() {
    }

    /** A small event with no ordering key of its own beyond its unique subject. */
    public static CloudEvent probe(String run, int seq) {
        return EventBuilder.create().type(TYPE).source(SOURCE).subject(run + "/" + seq)
                .data(payload(run, seq, null)).build();
    }

    /** {@code n} probes numbered from 0. */
    public static List<CloudEvent> probes(String run, int n) {
        return probes(run, 0, n);
    }

    /** {@code n} probes numbered from {@code from}. */
    public static List<CloudEvent> probes(String run, int from, int n) {
        List<CloudEvent> events = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            events.add(probe(run, i));
        }
        return events;
    }

    /** A probe with an explicit {@code partitionkey}. */
    public static CloudEvent keyed(String run, String key, int seq) {
        return EventBuilder.create().type(TYPE).source(SOURCE).subject(run + "/" + seq).partitionKey(key)
                .data(payload(run, seq, key)).build();
    }

    /**
     * An event with every attribute set: optional CloudEvents attributes, every Herald extension,
     * trace context, and data exercising JSON's corners (unicode, escapes, nesting, big numbers).
     * Every third event has a non-UTC time offset, which must survive too.
     */
    public static CloudEvent full(String run, int seq) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String traceId = hex(random, 32);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("run", run);
        data.put("seq", seq);
        data.put("text", "naïve café — 日本語 🚀 \"quoted\" back\\slash\ttab\nnewline \u0001");
        data.put("big", new java.math.BigInteger("123456789012345678901234567890"));
        data.put("decimal", 3.25);
        data.put("negative", -42L);
        data.put("flags", List.of(true, false));
        data.put("nothing", null);
        data.put("nested", Map.of("vulnerability_id", 541, "tags", List.of("a", "b")));
        EventBuilder builder = EventBuilder.create()
                .type("dev.herald.tck.full")
                .source("https://gitlab.example.com/group/app/-/security/vulnerabilities")
                .subject("gid://gitlab/Vulnerability/" + seq)
                .dataSchema(URI.create("https://schemas.example.com/tck/full/v1.json"))
                .project("gid://gitlab/Project/" + (392359 + seq % 3))
                .authType("app_user")
                .authId("gid://gitlab/User/123")
                .correlationId("req-" + run + "-" + seq)
                .causationId("cause-" + seq)
                .partitionKey("pk-" + seq % 5)
                .traceparent("00-" + traceId + "-" + hex(random, 16) + "-01")
                .tracestate("herald=tck,vendor=" + seq)
                .data(data);
        if (seq % 3 == 0) {
            builder.time(OffsetDateTime.of(2026, 11, 25, 10, 15, 30, 123_456_000, ZoneOffset.ofHoursMinutes(5, 30)));
        }
        return builder.build();
    }

    /** {@code n} fully attributed events. */
    public static List<CloudEvent> full(String run, int from, int n) {
        List<CloudEvent> events = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            events.add(full(run, i));
        }
        return events;
    }

    /** A valid event whose structured JSON form is exactly {@code bytes} long. */
    public static CloudEvent ofStructuredSize(String run, int seq, int bytes) {
        CloudEvent empty = sized(run, seq, "");
        int overhead = JsonEvents.write(empty).length;
        if (overhead > bytes) {
            throw new IllegalArgumentException("an event cannot be smaller than " + overhead + " bytes");
        }
        CloudEvent event = sized(run, seq, "x".repeat(bytes - overhead));
        int actual = JsonEvents.write(event).length;
        if (actual != bytes) {
            throw new IllegalStateException("sized event came out at " + actual + " bytes, wanted " + bytes);
        }
        return event;
    }

    private static CloudEvent sized(String run, int seq, String filler) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("run", run);
        data.put("seq", seq);
        data.put("filler", filler);
        // Built with an explicit id and time so both builds serialise to the same overhead.
        return EventBuilder.create().type(TYPE).source(SOURCE).subject(run + "/" + seq)
                .id(run + "-sized-" + seq)
                .time(OffsetDateTime.of(2026, 11, 25, 10, 0, 0, 0, ZoneOffset.UTC))
                .data(data).build();
    }

    /** The {@code seq} a probe was built with. */
    public static int seq(CloudEvent event) {
        return EventData.json(event).orElseThrow().get("seq").asInt();
    }

    /** The ids of events, in order. */
    public static List<String> ids(Collection<CloudEvent> events) {
        return events.stream().map(CloudEvent::getId).toList();
    }

    private static Map<String, Object> payload(String run, int seq, String key) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("run", run);
        data.put("seq", seq);
        if (key != null) {
            data.put("key", key);
        }
        return data;
    }

    private static String hex(ThreadLocalRandom random, int digits) {
        StringBuilder text = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            text.append(Character.forDigit(random.nextInt(16), 16));
        }
        // All-zero ids are invalid in W3C trace context.
        return text.toString().replaceFirst("^0", "1");
    }
}
