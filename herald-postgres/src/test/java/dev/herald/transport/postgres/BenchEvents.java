package dev.herald.transport.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;

/**
 * Fat {@code vulnerabilities.new_finding} events of about 1.5 KB of structured JSON, valid under the
 * built-in catalog: the reference example's shape with four identifiers and a title padded to size.
 */
final class BenchEvents {

    static final int TARGET_BYTES = 1536;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SOURCE = "https://gitlab.example.com/toolbox/gitlab-smoke-tests/-/security/vulnerabilities";
    private static final String TITLE = "Improper Neutralization of Input During Web Page Generation"
            + " ('Cross-site Scripting') in app/views/projects/show.html.haml";

    private final SchemaRegistry registry;
    /** Appended to the title so that events reach {@link #TARGET_BYTES}. */
    private final String padding;

    BenchEvents(SchemaRegistry registry) {
        this.registry = registry;
        int missing = TARGET_BYTES - JsonEvents.write(build(0, "")).length;
        String filler = " - reported by semgrep in the default branch pipeline".repeat(4);
        this.padding = filler.substring(0, Math.max(0, Math.min(missing, filler.length())));
    }

    /** The n-th event. */
    CloudEvent event(long n) {
        return build(n, padding);
    }

    private CloudEvent build(long n, String titlePad) {
        long vulnerability = 10_000_000L + n;
        String url = SOURCE + "/" + vulnerability;
        ObjectNode data = MAPPER.createObjectNode();
        data.put("url", url);
        data.put("title", TITLE + titlePad);
        data.put("state", "detected");
        data.put("severity", "high");
        data.put("severity_overridden", false);
        ArrayNode identifiers = data.putArray("identifiers");
        identifier(identifiers, "CVE-2026-" + vulnerability, "cve", Long.toString(vulnerability),
                "https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2026-" + vulnerability);
        identifier(identifiers, "CWE-79", "cwe", "79", "https://cwe.mitre.org/data/definitions/79.html");
        identifier(identifiers, "A03:2021 - Injection", "owasp", "A03:2021", "https://owasp.org/Top10/A03_2021-Injection/");
        identifier(identifiers, "eslint.detect-non-literal-regexp", "semgrep_id", "eslint.detect-non-literal-regexp",
                "https://semgrep.dev/r/gitlab.eslint.detect-non-literal-regexp");
        data.put("report_type", "sast");
        data.put("confidence", "high");
        data.put("confidence_overridden", false);
        data.putNull("dismissed_at");
        data.putNull("dismissed_by_id");
        return EventBuilder.create(registry).type("vulnerabilities.new_finding").source(SOURCE)
                .subject("gid://gitlab/Vulnerability/" + vulnerability).project("gid://gitlab/Project/392359")
                .authType("app_user").authId("gid://gitlab/User/123").data(data).build();
    }

    private static void identifier(ArrayNode identifiers, String name, String type, String id, String url) {
        ObjectNode identifier = identifiers.addObject();
        identifier.put("name", name);
        identifier.put("external_type", type);
        identifier.put("external_id", id);
        identifier.put("url", url);
    }
}
