package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald events}: queries the stored stream of a server. */
@Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Query the events stored on a Herald server, oldest first: a table, JSON (a CloudEvents batch) "
                + "or JSON lines. Only events the token may see are listed (its subscribe scopes and project).",
                "Stops after --limit events; when more remain, prints on stderr the --cursor that continues."},
        footer = {"", "Examples:",
                "  herald events                                   # the first 100 events",
                "  herald events --type 'ci.*' --project gid://gitlab/Project/1 --since 1h",
                "  herald events --subject gid://gitlab/Vulnerability/541 --output json",
                "  herald events --limit 0 --output jsonl > all.jsonl          # everything",
                "  herald events --cursor Yz...                    # continue where a previous query stopped"})
final class EventsCommand implements Callable<Integer> {

    enum Output { table, json, jsonl }

    private static final Pattern AGO = Pattern.compile("(\\d+)(s|m|h|d)");

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--type", paramLabel = "PATTERN", description = "Type or glob, e.g. ci.* .")
    String type;

    @Option(names = "--project", paramLabel = "GID", description = "Only this project's events.")
    String project;

    @Option(names = "--subject", paramLabel = "TEXT", description = "Only events with this subject.")
    String subject;

    @Option(names = "--source", paramLabel = "URI", description = "Only events from this source.")
    String source;

    @Option(names = {"--from", "--since"}, paramLabel = "TIME",
            description = "Events whose time is at or after: RFC 3339, or an age such as 15m, 2h, 7d.")
    String from;

    @Option(names = {"--to", "--until"}, paramLabel = "TIME", description = "Events whose time is before (as --from).")
    String to;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Most events to print; 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "Continue after a previous query (same filters).")
    String cursor;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json or jsonl (default: ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (limit < 0) {
            err.println("herald events: --limit must be 0 (all) or more");
            return Herald.BAD_INPUT;
        }
        Map<String, String> query = new LinkedHashMap<>();
        try {
            put(query, "type", type);
            put(query, "project", project);
            put(query, "subject", subject);
            put(query, "source", source);
            put(query, "from", time(from, "--from"));
            put(query, "to", time(to, "--to"));
        } catch (IllegalArgumentException e) {
            err.println("herald events: " + e.getMessage());
            return Herald.BAD_INPUT;
        }
        List<JsonNode> events = new ArrayList<>();
        String next = cursor;
        boolean more = true;
        try {
            ServerClient server = new ServerClient(client, err);
            while (more && (limit == 0 || events.size() < limit)) {
                int page = limit == 0 ? 1000 : Math.min(1000, limit - events.size());
                StringBuilder path = new StringBuilder("/v1/events?limit=").append(page);
                query.forEach((k, v) -> path.append('&').append(k).append('=').append(encode(v)));
                if (next != null) {
                    path.append("&cursor=").append(encode(next));
                }
                JsonNode answer = server.send("GET", path.toString(), null, null, true).json();
                JsonNode pageEvents = answer.path("events");
                pageEvents.forEach(e -> {
                    events.add(e);
                    if (output == Output.jsonl) {
                        out.println(e.toString());
                    }
                });
                out.flush();
                next = answer.path("cursor").asText(null);
                more = answer.path("more").asBoolean(false);
            }
        } catch (ServerClient.Failure failure) {
            failure.print(err);
            return failure.exitCode;
        }
        switch (output) {
            case json -> out.println(jsonArray(events));
            case table -> table(out, events);
            case jsonl -> { }
        }
        out.flush();
        if (more && next != null) {
            err.println("herald events: more events match; continue with --cursor " + next);
            err.flush();
        }
        return 0;
    }

    private static void put(Map<String, String> query, String key, String value) {
        if (value != null && !value.isBlank()) {
            query.put(key, value);
        }
    }

    /** RFC 3339 as given, or an age ({@code 15m}) turned into a timestamp. */
    static String time(String text, String option) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Matcher ago = AGO.matcher(text.strip());
        if (ago.matches()) {
            ChronoUnit unit = switch (ago.group(2)) {
                case "s" -> ChronoUnit.SECONDS;
                case "m" -> ChronoUnit.MINUTES;
                case "h" -> ChronoUnit.HOURS;
                default -> ChronoUnit.DAYS;
            };
            return OffsetDateTime.now(ZoneOffset.UTC).minus(Long.parseLong(ago.group(1)), unit)
                    .truncatedTo(ChronoUnit.SECONDS).toString();
        }
        try {
            return OffsetDateTime.parse(text.strip()).toString();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be an RFC 3339 time (2026-11-25T10:00:00Z) or an age "
                    + "(30s, 15m, 2h, 7d): " + text);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String jsonArray(List<JsonNode> events) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < events.size(); i++) {
            json.append(i == 0 ? "" : ",").append(events.get(i).toString());
        }
        return json.append(']').toString();
    }

    private static void table(PrintWriter out, List<JsonNode> events) {
        if (events.isEmpty()) {
            out.println("no events");
            return;
        }
        String[] headers = {"TIME", "TYPE", "PROJECT", "SUBJECT", "ID"};
        List<String[]> rows = new ArrayList<>();
        for (JsonNode e : events) {
            rows.add(new String[] {e.path("time").asText("-"), e.path("type").asText("-"),
                    e.path("project").asText("-"), e.path("subject").asText("-"), e.path("id").asText("-")});
        }
        Tables.print(out, headers, rows);
        out.printf("%d event%s%n", events.size(), events.size() == 1 ? "" : "s");
    }
}
