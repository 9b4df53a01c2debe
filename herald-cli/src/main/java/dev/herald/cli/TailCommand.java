package dev.herald.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald tail}: follows the live event stream. */
@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Follow events as they are published, one line each (or the CloudEvent JSON with --output json).",
                "Reads through an ephemeral streaming-pull subscription that is deleted on exit (Ctrl-C included; "
                        + "if the CLI is killed, the server removes it after a few minutes). Events are acked as "
                        + "they are printed."},
        footer = {"", "Examples:",
                "  herald tail                                         # everything (admin token)",
                "  herald tail --type 'ci.*' --project gid://gitlab/Project/1",
                "  herald tail --type vulnerabilities.new_finding --subject 'gid://gitlab/Vulnerability/*'",
                "  herald tail --type repository.push --output json | jq .data.ref",
                "  herald tail --type ci.pipeline.finished --sql \"authtype = 'app_user'\" --count 1",
                "", "Exit codes: 0 ok, 1 failure (server unreachable, stream lost), 2 bad input (a refused filter)."})
final class TailCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Mixin
    SubscriptionFilterOptions filter;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json (one CloudEvent "
            + "per line).")
    PulledEvents.Output output = PulledEvents.Output.text;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Exit after N events.")
    Long count;

    @Option(names = "--from", paramLabel = "POSITION", description = "Start at earliest or an RFC 3339 timestamp "
            + "instead of now (see also: herald replay).")
    String from;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count != null && count < 1) {
            err.println("herald: --count must be at least 1");
            return Herald.BAD_INPUT;
        }
        try {
            ServerClient server = new ServerClient(client, err);
            String id = PulledEvents.createEphemeral(server, filter, from);
            EventStream stream = new EventStream(client, server, id, err);
            AtomicLong seen = new AtomicLong();
            try (PulledEvents.Cleanup cleanup = new PulledEvents.Cleanup(server, id, stream, err)) {
                stream.run((eventId, type, json) -> {
                    PulledEvents.print(out, output, json);
                    return count == null || seen.incrementAndGet() < count;
                }, null);
            }
            return 0;
        } catch (ServerClient.Failure failure) {
            failure.print(err);
            return failure.exitCode;
        }
    }
}
