package dev.herald.cli;

import dev.herald.event.EnvelopeRules;
import dev.herald.event.InvalidEventException;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaCatalogException;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald validate}: checks events against the envelope rules and their schemas. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Validate one event or a batch (CloudEvents structured JSON) against the envelope "
                + "rules and the schema registry.",
                "Prints a one-line summary and exits 0 when valid; prints one line per violation "
                + "(attribute or data pointer: rule (value)) on stderr and exits 2 when not."},
        footer = {"", "Examples:",
                "  herald validate event.json",
                "  herald validate --schemas ./schemas batch.json",
                "  curl -s https://example.com/event | herald validate -"})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SchemaOptions schemas;

    @Option(names = "--max-event-bytes", paramLabel = "N",
            description = "Largest event accepted, in bytes (default: ${DEFAULT-VALUE}).")
    int maxEventBytes = EnvelopeRules.DEFAULT_MAX_EVENT_BYTES;

    @Parameters(paramLabel = "FILE|-", description = "A JSON file holding one event or an array of events; - for stdin.")
    String input;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        byte[] document;
        try {
            document = input.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
        } catch (NoSuchFileException e) {
            err.println(input + ": no such file");
            return Herald.BAD_INPUT;
        } catch (IOException e) {
            err.println(input + ": cannot read: " + e.getMessage());
            return Herald.FAILURE;
        }
        EventValidator validator;
        EnvelopeRules rules = new EnvelopeRules(maxEventBytes);
        try {
            validator = new EventValidator(rules, schemas.registry());
        } catch (SchemaCatalogException e) {
            err.println(e.getMessage());
            return Herald.BAD_INPUT;
        }
        List<CloudEvent> events;
        try {
            events = new JsonEvents(rules).readEventOrBatch(document);
        } catch (InvalidEventException e) {
            return report(err, e.violations());
        }
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String prefix = events.size() == 1 && !isArray(document) ? "" : "[" + i + "].";
            validator.checkData(events.get(i)).forEach(v ->
                    violations.add(new Violation(prefix + v.where(), v.rule(), v.value())));
        }
        if (!violations.isEmpty()) {
            return report(err, violations);
        }
        spec.commandLine().getOut().println(summary(events));
        return 0;
    }

    private static boolean isArray(byte[] document) {
        for (byte b : document) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }

    private static int report(PrintWriter err, List<Violation> violations) {
        violations.forEach(err::println);
        return Herald.BAD_INPUT;
    }

    private static String summary(List<CloudEvent> events) {
        if (events.size() == 1) {
            CloudEvent event = events.getFirst();
            return "valid: " + event.getType() + " " + event.getId();
        }
        long types = events.stream().map(CloudEvent::getType).distinct().count();
        return "valid: " + events.size() + " events of " + types + " type" + (types == 1 ? "" : "s");
    }
}
