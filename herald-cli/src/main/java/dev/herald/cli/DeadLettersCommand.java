package dev.herald.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.server.wire.DeadLetterBody;
import dev.herald.server.wire.IdsBody;
import dev.herald.server.wire.Page;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald dead-letters list|show|redrive|discard}. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "Inspect a subscription's dead letters (events it gave up on, with the last error), deliver them "
                + "again, or discard them.",
        subcommands = {DeadLettersCommand.ListAll.class, DeadLettersCommand.Show.class,
                DeadLettersCommand.Redrive.class, DeadLettersCommand.Discard.class},
        footer = {"", "Examples:",
                "  herald dead-letters list security-notify",
                "  herald dead-letters show security-notify 42",
                "  herald dead-letters redrive security-notify --all       # after fixing the receiver",
                "  herald dead-letters discard security-notify 42 43",
                "", "Exit codes: 0 ok, 1 failure, 2 bad input (unknown subscription or dead letter)."})
final class DeadLettersCommand {

    private static String path(String subscription) {
        return SubscriptionsCommand.path(subscription) + "/dead-letters";
    }

    /** {@code herald dead-letters list SUBSCRIPTION}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List dead letters, oldest first.",
            footer = {"", "Examples:", "  herald dead-letters list security-notify",
                    "  herald dead-letters list security-notify --limit 0 --output json > dead.json"})
    static final class ListAll implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "SUBSCRIPTION", description = "The subscription.")
        String subscription;

        @Option(names = "--limit", paramLabel = "N", description = "At most N (default ${DEFAULT-VALUE}; 0 = all).")
        int limit = 100;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json "
                + "(with the events).")
        SubscriptionsCommand.Output output = SubscriptionsCommand.Output.text;

        @Override
        public Integer call() {
            return SubscriptionsCommand.remote(spec, client, (server, out) -> {
                List<DeadLetterBody> letters = new ArrayList<>();
                String after = null;
                long total;
                do {
                    int page = limit == 0 ? 500 : Math.min(500, limit - letters.size());
                    String query = path(subscription) + "?limit=" + page
                            + (output == SubscriptionsCommand.Output.json ? "&include=event" : "")
                            + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
                    Page<DeadLetterBody> result = server.send("GET", query, null, null, true)
                            .as(new TypeReference<Page<DeadLetterBody>>() { });
                    letters.addAll(result.items());
                    total = result.total();
                    after = result.next();
                } while (after != null && (limit == 0 || letters.size() < limit));
                if (output == SubscriptionsCommand.Output.json) {
                    SubscriptionsCommand.printJson(out, ServerClient.JSON.valueToTree(letters));
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                for (DeadLetterBody letter : letters) {
                    String error = String.valueOf(letter.lastError()).lines().findFirst().orElse("");
                    rows.add(new String[] {letter.id(), letter.eventId(), letter.type(),
                            Integer.toString(letter.attempts()), letter.deadAt(), error});
                }
                Tables.print(out, new String[] {"ID", "EVENT", "TYPE", "ATTEMPTS", "DEAD AT", "LAST ERROR"}, rows);
                if (total > letters.size()) {
                    out.printf("(%d of %d shown; --limit 0 lists all)%n", letters.size(), total);
                }
                return 0;
            });
        }
    }

    /** {@code herald dead-letters show SUBSCRIPTION ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one dead letter with its event and last error, as JSON.",
            footer = {"", "Example:", "  herald dead-letters show security-notify 42"})
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "SUBSCRIPTION", description = "The subscription.")
        String subscription;

        @Parameters(index = "1", paramLabel = "ID", description = "The dead letter (see: herald dead-letters list).")
        String id;

        @Override
        public Integer call() {
            return SubscriptionsCommand.remote(spec, client, (server, out) -> {
                SubscriptionsCommand.printJson(out, server.send("GET", path(subscription) + "/"
                        + URLEncoder.encode(id, StandardCharsets.UTF_8), null, null, true).json());
                return 0;
            });
        }
    }

    /** Redrive or discard: ids or --all. */
    abstract static class Action implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "SUBSCRIPTION", description = "The subscription.")
        String subscription;

        @Parameters(index = "1..*", paramLabel = "ID", description = "Dead letters (see: herald dead-letters list).")
        List<String> ids = new ArrayList<>();

        @Option(names = "--all", description = "Every dead letter of the subscription.")
        boolean all;

        abstract String action();

        abstract String counted();

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            if (all == !ids.isEmpty()) {
                err.println("herald: give dead-letter ids or --all (not both)");
                return Herald.BAD_INPUT;
            }
            return SubscriptionsCommand.remote(spec, client, (server, out) -> {
                IdsBody body = all ? IdsBody.everything() : IdsBody.of(ids);
                JsonNode result = server.send("POST", path(subscription) + "/" + action(), "application/json",
                        ServerClient.bytes(body), false).json();
                out.printf("%s: %d%n", counted(), result.path(counted()).asInt());
                return 0;
            });
        }
    }

    /** {@code herald dead-letters redrive SUBSCRIPTION (ID… | --all)}. */
    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Deliver dead letters again, with a fresh attempt count.",
            footer = {"", "Examples:", "  herald dead-letters redrive security-notify 42 43",
                    "  herald dead-letters redrive security-notify --all"})
    static final class Redrive extends Action {
        @Override
        String action() {
            return "redrive";
        }

        @Override
        String counted() {
            return "redriven";
        }
    }

    /** {@code herald dead-letters discard SUBSCRIPTION (ID… | --all)}. */
    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = "Delete dead letters for good.",
            footer = {"", "Examples:", "  herald dead-letters discard security-notify 42",
                    "  herald dead-letters discard security-notify --all"})
    static final class Discard extends Action {
        @Override
        String action() {
            return "discard";
        }

        @Override
        String counted() {
            return "discarded";
        }
    }
}
