package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fat {@code vulnerabilities.new_finding} events of about 1.5 KB in structured JSON, shaped like the
 * reference example ({@code fixtures/fat-event-example.json}) but with the identifiers a real SAST
 * finding carries (CVE, CWE, OWASP, scanner rule ids) and a longer title, which is padded so that
 * every event lands near {@link #TARGET_BYTES}. Each event has its own id, subject and url; all are
 * valid under the catalog schema (checked on construction).
 */
public final class FatEvents {

    /** The type of every event: a GitLab vulnerability finding. */
    public static final String TYPE = "vulnerabilities.new_finding";
    /** The size aimed at: 1.5 KiB of structured JSON. */
    static final int TARGET_BYTES = 1536;
    /** The sizes accepted as "about 1.5 KB"; anything else fails the run. */
    static final int MIN_BYTES = 1450;
    static final int MAX_BYTES = 1650;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SOURCE = "https://gitlab.example.com/toolbox/gitlab-smoke-tests/-/security/vulnerabilities";
    private static final String PROJECT = "gid://gitlab/Project/392359";
    private static final String TITLE = "Improper Neutralization of Input During Web Page Generation"
            + " ('Cross-site Scripting') in app/views/projects/show.html.haml";
    private static final int TITLE_MAX = 255;
    /** Vulnerability numbers start here so that they all have the same width. */
    private static final long FIRST_VULNERABILITY = 10_000_000L;

    private static final String PADDING = (" - reported by semgrep in the default branch pipeline,"
            + " first seen in commit 0f3b6e1a9c").repeat(4);

    private final SchemaRegistry registry;
    /** Appended to the title so that events reach {@link #TARGET_BYTES}; set once by calibration. */
    private String titlePad = "";

    /** Events valid under {@code registry}'s {@value #TYPE} schema, calibrated to about 1.5 KB. */
    public FatEvents(SchemaRegistry registry) {
        this.registry = registry;
        CloudEvent probe = event(0);
        int missing = TARGET_BYTES - size(probe);
        int room = TITLE_MAX - titleOf(probe).length();
        if (missing < 0 || missing > room) {
            throw new IllegalStateException("cannot pad the bench event to " + TARGET_BYTES + " bytes: unpadded it has "
                    + size(probe) + ", the title has room for " + room + " more characters");
        }
        String pad = PADDING.substring(0, missing);
        titlePad = pad.endsWith(" ") ? pad.substring(0, missing - 1) + "." : pad;
        CloudEvent sample = event(0);
        List<Violation> violations = new EventValidator(EnvelopeRules.defaults(), registry).check(sample);
        if (!violations.isEmpty()) {
            throw new IllegalStateException("the bench event is not valid under the catalog: " + violations);
        }
    }

    /** The n-th event: its own id (UUIDv7), subject, url and identifier values. */
    public CloudEvent event(long n) {
        long vulnerability = FIRST_VULNERABILITY + n;
        String url = "https://gitlab.example.com/toolbox/gitlab-smoke-tests/-/security/vulnerabilities/" + vulnerability;
        ObjectNode data = MAPPER.createObjectNode();
        data.put("url", url);
        data.put("title", TITLE + titlePad);
        data.put("state", "detected");
        data.put("severity", "high");
        data.put("severity_overridden", false);
        ArrayNode identifiers = data.putArray("identifiers");
        String cve = String.format(Locale.ROOT, "CVE-2026-%08d", vulnerability % 100_000_000);
        identifier(identifiers, cve, "cve", cve, "https://cve.mitre.org/cgi-bin/cvename.cgi?name=" + cve);
        identifier(identifiers, "CWE-79", "cwe", "79", "https://cwe.mitre.org/data/definitions/79.html");
        identifier(identifiers, "A03:2021 - Injection", "owasp", "A03:2021",
                "https://owasp.org/Top10/A03_2021-Injection/");
        identifier(identifiers, "eslint.detect-non-literal-regexp", "semgrep_id",
                "eslint.detect-non-literal-regexp",
                "https://semgrep.dev/r/gitlab.eslint.detect-non-literal-regexp");
        data.put("report_type", "sast");
        data.put("confidence", "high");
        data.put("confidence_overridden", false);
        data.putNull("dismissed_at");
        data.putNull("dismissed_by_id");
        return EventBuilder.create(registry)
                .type(TYPE)
                .source(SOURCE)
                .subject("gid://gitlab/Vulnerability/" + vulnerability)
                .project(PROJECT)
                .authType("app_user")
                .authId("gid://gitlab/User/123")
                .data(data)
                .build();
    }

    /** {@code count} events numbered from {@code first}, each checked to be about 1.5 KB. */
    List<CloudEvent> events(long first, int count) {
        List<CloudEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            CloudEvent event = event(first + i);
            requireFat(size(event));
            events.add(event);
        }
        return events;
    }

    /** The structured JSON form, as the embedded transport stores it. */
    static byte[] json(CloudEvent event) {
        return JsonEvents.write(event);
    }

    static int size(CloudEvent event) {
        return json(event).length;
    }

    static void requireFat(int bytes) {
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw new IllegalStateException("a bench event has " + bytes + " bytes of structured JSON, outside "
                    + MIN_BYTES + ".." + MAX_BYTES);
        }
    }

    private static String titleOf(CloudEvent event) {
        try {
            return MAPPER.readTree(event.getData().toBytes()).get("title").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void identifier(ArrayNode identifiers, String name, String type, String id, String url) {
        ObjectNode identifier = identifiers.addObject();
        identifier.put("name", name);
        identifier.put("external_type", type);
        identifier.put("external_id", id);
        identifier.put("url", url);
    }
}
