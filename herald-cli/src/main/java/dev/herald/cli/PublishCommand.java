package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.event.EventBuilder;
import dev.herald.event.InvalidEventException;
import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald publish}: sends events to a server. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish events to a Herald server: one event built from flags, or events read from a file "
                + "or stdin — one event (JSON object), a batch (JSON array), or JSON lines (one event per line, "
                + "streamed in batches).",
                "Prints the ids of accepted events on stdout, progress and a summary on stderr. Exits 2 with one "
                + "line per violation (naming the input line) when the server refuses events as invalid.",
                "Retrying is safe: the server accepts an event it already has (same source and id) without storing "
                + "it twice, so connection failures and 503s are retried, and a file can be published again "
                + "after fixing it."},
        footer = {"", "Examples:",
                "  export HERALD_SERVER=http://localhost:8080 HERALD_TOKEN=hrld_...",
                "  herald publish --type ci.pipeline.created --source https://gitlab.example.com/group/app \\",
                "      --project gid://gitlab/Project/1 --data '{\"pipeline_id\": 42}'",
                "  herald publish --type ci.pipeline.created --source /ci --data @pipeline.json",
                "  herald publish event.json",
                "  herald publish batch.json",
                "  producer | herald publish -              # JSON lines on stdin",
                "  herald publish --batch-size 500 -q events.jsonl"})
final class PublishCommand implements Callable<Integer> {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern INDEXED = Pattern.compile("\\[(\\d+)]\\.(.*)");

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @ArgGroup(exclusive = false, heading = "%nBuild one event from flags:%n")
    Built built;

    static final class Built {
        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Event type.")
        String type;

        @Option(names = "--source", required = true, paramLabel = "URI", description = "Event source.")
        String source;

        @Option(names = "--data", paramLabel = "JSON|@FILE", description = "The data: JSON text, or @file.")
        String data;

        @Option(names = "--subject", paramLabel = "TEXT", description = "Subject.")
        String subject;

        @Option(names = "--id", paramLabel = "ID", description = "Event id (default: a new UUIDv7).")
        String id;

        @Option(names = "--time", paramLabel = "RFC3339", description = "Event time (default: now).")
        String time;

        @Option(names = "--project", paramLabel = "GID", description = "The project extension.")
        String project;

        @Option(names = "--dataschema", paramLabel = "URI",
                description = "Schema URI (default: the server validates against the type's latest version).")
        String dataschema;

        @Option(names = "--ext", paramLabel = "NAME=VALUE",
                description = "Any extension attribute, e.g. --ext correlationid=req-42 (repeatable).")
        Map<String, String> extensions = new LinkedHashMap<>();
    }

    @Parameters(arity = "0..1", paramLabel = "FILE",
            description = "A file with one event, a batch or JSON lines; - for stdin.")
    String file;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Events per request when reading JSON lines or a large batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-q", "--quiet"}, description = "Do not print accepted ids.")
    boolean quiet;

    /** One event to send and the input line it started on (0 when built from flags). */
    private record Item(byte[] json, int line) {
    }

    private long started;
    private long lastProgress;
    private long published;
    private long duplicates;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (batchSize < 1 || batchSize > 10_000) {
            err.println("herald publish: --batch-size must be between 1 and 10000");
            return Herald.BAD_INPUT;
        }
        if (built != null && file != null) {
            err.println("herald publish: give either --type/--source/--data or a FILE, not both");
            return Herald.BAD_INPUT;
        }
        if (built == null && file == null) {
            if (System.console() != null) {
                err.println("herald publish: nothing to publish: give --type and --source (and --data), a FILE, "
                        + "or - for stdin (see herald publish --help)");
                return Herald.BAD_INPUT;
            }
            file = "-";
        }
        started = System.nanoTime();
        lastProgress = started;
        try {
            ServerClient server = new ServerClient(client, err);
            if (built != null) {
                CloudEvent event = build(built);
                send(server, List.of(new Item(JsonEvents.write(event), 0)), false);
            } else {
                readAndSend(server);
            }
        } catch (ServerClient.Failure failure) {
            failure.print(err);
            summary(err, true);
            return failure.exitCode;
        } catch (InputProblem problem) {
            err.println("herald publish: " + problem.getMessage());
            summary(err, true);
            return Herald.BAD_INPUT;
        }
        summary(err, false);
        return 0;
    }

    /** Bad input found on this side. */
    private static final class InputProblem extends Exception {
        private static final long serialVersionUID = 1L;

        InputProblem(String message) {
            super(message);
        }
    }

    private CloudEvent build(Built b) throws InputProblem {
        EventBuilder builder = EventBuilder.create().type(b.type).source(b.source);
        try {
            if (b.subject != null) {
                builder.subject(b.subject);
            }
            if (b.id != null) {
                builder.id(b.id);
            }
            if (b.time != null) {
                builder.time(OffsetDateTime.parse(b.time));
            }
            if (b.project != null) {
                builder.project(b.project);
            }
            if (b.dataschema != null) {
                builder.dataSchema(URI.create(b.dataschema));
            }
            b.extensions.forEach(builder::extension);
            if (b.data != null) {
                builder.data(parseData(b.data));
            }
            return builder.build();
        } catch (DateTimeParseException e) {
            throw new InputProblem("--time must be an RFC 3339 timestamp, e.g. 2026-11-25T10:00:00Z: " + b.time);
        } catch (InvalidEventException e) {
            throw new InputProblem("the event is invalid: " + String.join("; ",
                    e.violations().stream().map(Object::toString).toList()));
        } catch (IllegalArgumentException e) {
            throw new InputProblem(e.getMessage());
        }
    }

    private static JsonNode parseData(String data) throws InputProblem {
        String text = data;
        if (data.startsWith("@")) {
            try {
                text = Files.readString(Path.of(data.substring(1)));
            } catch (IOException e) {
                throw new InputProblem("cannot read --data file " + data.substring(1) + ": " + e.getMessage());
            }
        }
        try {
            return STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InputProblem("--data is not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Reads the input: a JSON array (batch), one JSON object spanning the whole input, or JSON lines,
     * which are streamed so that arbitrarily long inputs use little memory.
     */
    private void readAndSend(ServerClient server) throws ServerClient.Failure, InputProblem {
        String name = file.equals("-") ? "stdin" : file;
        try (BufferedReader reader = file.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            String firstLine;
            int lineNumber = 0;
            do {
                firstLine = reader.readLine();
                lineNumber++;
            } while (firstLine != null && firstLine.isBlank());
            if (firstLine == null) {
                throw new InputProblem(name + " holds no events");
            }
            JsonNode first = parseLine(firstLine);
            if (first != null && first.isObject()) {
                streamLines(server, reader, firstLine, lineNumber, name);
                return;
            }
            StringBuilder all = new StringBuilder(firstLine).append('\n');
            for (String line; (line = reader.readLine()) != null; ) {
                all.append(line).append('\n');
            }
            sendDocument(server, all.toString(), name, lineNumber);
        } catch (NoSuchFileException e) {
            throw new InputProblem("no such file: " + file);
        } catch (IOException e) {
            throw new InputProblem("cannot read " + name + ": " + e.getMessage());
        }
    }

    private static JsonNode parseLine(String line) {
        try {
            return STRICT.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private void streamLines(ServerClient server, BufferedReader reader, String firstLine, int firstNumber, String name)
            throws IOException, ServerClient.Failure, InputProblem {
        List<Item> batch = new ArrayList<>(batchSize);
        batch.add(new Item(firstLine.strip().getBytes(StandardCharsets.UTF_8), firstNumber));
        int lineNumber = firstNumber;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = parseLine(line);
            if (node == null || !node.isObject()) {
                throw new InputProblem(name + " line " + lineNumber + ": not a JSON object (JSON lines hold one "
                        + "event per line)");
            }
            batch.add(new Item(line.strip().getBytes(StandardCharsets.UTF_8), lineNumber));
            if (batch.size() == batchSize) {
                send(server, batch, true);
                batch = new ArrayList<>(batchSize);
            }
        }
        if (!batch.isEmpty()) {
            send(server, batch, true);
        }
    }

    /** A whole document: one event (object) or a batch (array, sent in chunks of --batch-size). */
    private void sendDocument(ServerClient server, String text, String name, int firstLine)
            throws ServerClient.Failure, InputProblem {
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InputProblem(name + " is neither JSON nor JSON lines: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + (e.getLocation().getLineNr() + firstLine - 1)));
        }
        if (node.isObject()) {
            send(server, List.of(new Item(text.strip().getBytes(StandardCharsets.UTF_8), firstLine)), false);
            return;
        }
        if (!node.isArray()) {
            throw new InputProblem(name + " must hold a JSON object (an event), an array (a batch) or JSON lines");
        }
        List<Item> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < node.size(); i++) {
            try {
                batch.add(new Item(STRICT.writeValueAsBytes(node.get(i)), -(i + 1)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (batch.size() == batchSize) {
                send(server, batch, true);
                batch = new ArrayList<>(batchSize);
            }
        }
        if (!batch.isEmpty()) {
            send(server, batch, true);
        }
    }

    /** Sends one request; on refusal, renames the violations' batch indexes to input lines. */
    private void send(ServerClient server, List<Item> items, boolean asBatch) throws ServerClient.Failure {
        byte[] body;
        String type;
        if (asBatch) {
            int size = 2 + items.stream().mapToInt(i -> i.json().length + 1).sum();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
            out.write('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.writeBytes(items.get(i).json());
            }
            out.write(']');
            body = out.toByteArray();
            type = JsonEvents.BATCH;
        } else {
            body = items.getFirst().json();
            type = JsonEvents.STRUCTURED;
        }
        ServerClient.Reply reply;
        try {
            reply = server.send("POST", "/v1/events", type, body, true);
        } catch (ServerClient.Failure failure) {
            throw located(failure, items);
        }
        JsonNode answer = reply.json();
        PrintWriter out = spec.commandLine().getOut();
        if (!quiet) {
            answer.path("accepted").forEach(id -> out.println(id.asText()));
            out.flush();
        }
        published += answer.path("accepted").size();
        duplicates += answer.path("duplicates").size();
        progress();
    }

    /** The failure with {@code [i].where} violations turned into {@code line N: where} (or {@code event N}). */
    private ServerClient.Failure located(ServerClient.Failure failure, List<Item> items) {
        if (failure.problem == null || !failure.problem.has("violations")) {
            return failure;
        }
        com.fasterxml.jackson.databind.node.ObjectNode problem = failure.problem.deepCopy();
        for (JsonNode violation : problem.get("violations")) {
            String where = violation.path("where").asText();
            Matcher m = INDEXED.matcher(where);
            int index = m.matches() ? Integer.parseInt(m.group(1)) : 0;
            String rest = m.matches() ? m.group(2) : where;
            if (index < items.size()) {
                int line = items.get(index).line();
                String location = line > 0 ? "line " + line + ": " : line < 0 ? "event " + (-line) + ": " : "";
                ((com.fasterxml.jackson.databind.node.ObjectNode) violation).put("where", location + rest);
            }
        }
        return new ServerClient.Failure(failure.exitCode, failure.status, failure.getMessage(), problem);
    }

    private void progress() {
        long now = System.nanoTime();
        if (now - lastProgress >= 2_000_000_000L) {
            lastProgress = now;
            double seconds = (now - started) / 1e9;
            PrintWriter err = spec.commandLine().getErr();
            err.printf("herald publish: %,d events so far (%,.0f/s)%n", published, published / seconds);
            err.flush();
        }
    }

    private void summary(PrintWriter err, boolean failed) {
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failed) {
            if (published > 0) {
                err.printf("herald publish: %,d events were published before the failure%n", published);
            }
        } else if (published > 1 || seconds >= 2) {
            err.printf("herald publish: %,d events published (%,d already there) in %.1f s (%,.0f/s)%n",
                    published, duplicates, seconds, published / Math.max(seconds, 1e-3));
        }
        err.flush();
    }
}
