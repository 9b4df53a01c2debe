package dev.herald.cli;

import dev.herald.server.wire.DeliveryBody;
import dev.herald.server.wire.SeekBody;
import dev.herald.server.wire.SubscriptionBody;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald replay}: delivers past events again. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Deliver stored events again, from the oldest retained (earliest) or from a time. Three ways:",
                "  --subscription ID   rewind an existing subscription: it receives everything again from --from;",
                "  --sink URL          create a webhook subscription starting at --from (its secret is printed once);",
                "  neither             print the events (like tail) and exit once caught up (--follow: keep going)."},
        footer = {"", "Examples:",
                "  herald replay --from 2026-11-01T00:00:00Z --type 'ci.*'            # print, then exit",
                "  herald replay --from earliest --type repository.push --output json > pushes.jsonl",
                "  herald replay --from earliest --subscription security-notify       # rewind a subscription",
                "  herald replay --from 2026-11-20T08:00:00Z --type 'ci.*' --sink https://ci.example.com/hooks",
                "", "Exit codes: 0 ok, 1 failure, 2 bad input (bad --from, unknown subscription, refused sink)."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--from", required = true, paramLabel = "POSITION",
            description = "earliest, or an RFC 3339 timestamp such as 2026-11-01T00:00:00Z (publish time).")
    String from;

    @Option(names = "--subscription", paramLabel = "ID", description = "Rewind this existing subscription.")
    String subscription;

    @Option(names = "--sink", paramLabel = "URL", description = "Create a webhook subscription to this URL.")
    String sink;

    @Option(names = "--id", paramLabel = "ID", description = "With --sink: the new subscription's id.")
    String id;

    @Mixin
    SubscriptionFilterOptions filter;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "When printing: text (default) or json.")
    PulledEvents.Output output = PulledEvents.Output.text;

    @Option(names = "--follow", description = "When printing: keep following new events after catching up.")
    boolean follow;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!from.equals("earliest")) {
            try {
                OffsetDateTime.parse(from);
            } catch (DateTimeParseException e) {
                err.println("herald: --from must be earliest or an RFC 3339 timestamp such as 2026-11-01T00:00:00Z: "
                        + from);
                return Herald.BAD_INPUT;
            }
        }
        if (subscription != null && sink != null) {
            err.println("herald: give --subscription (rewind) or --sink (new webhook), not both");
            return Herald.BAD_INPUT;
        }
        try {
            ServerClient server = new ServerClient(client, err);
            if (subscription != null) {
                return rewind(server, out);
            }
            if (sink != null) {
                return createWebhook(server, out);
            }
            return print(server, out, err);
        } catch (ServerClient.Failure failure) {
            failure.print(err);
            return failure.exitCode;
        }
    }

    private int rewind(ServerClient server, PrintWriter out) throws ServerClient.Failure {
        SubscriptionBody result = server.send("POST", "/v1/subscriptions/" + subscription + "/seek",
                "application/json", ServerClient.bytes(new SeekBody(from)), true).as(SubscriptionsCommand.SUBSCRIPTION);
        out.printf("subscription %s rewound to %s (backlog %d)%n", subscription, from, result.stats().backlog());
        return 0;
    }

    private int createWebhook(ServerClient server, PrintWriter out) throws ServerClient.Failure {
        SubscriptionBody body = filter.request(id, sink, null, null,
                new DeliveryBody(null, null, null, null, null, from, null), null, null);
        SubscriptionBody created = server.send("POST", "/v1/subscriptions", "application/json",
                ServerClient.bytes(body), false).as(SubscriptionsCommand.SUBSCRIPTION);
        out.printf("created subscription %s: replaying from %s to %s%n", created.id(), from, sink);
        out.printf("secret: %s   (shown only now: configure it in the receiver)%n", created.secret());
        return 0;
    }

    private int print(ServerClient server, PrintWriter out, PrintWriter err) throws ServerClient.Failure {
        String pulled = PulledEvents.createEphemeral(server, filter, from);
        EventStream stream = new EventStream(client, server, pulled, err);
        try (PulledEvents.Cleanup cleanup = new PulledEvents.Cleanup(server, pulled, stream, err)) {
            stream.run((eventId, type, json) -> {
                PulledEvents.print(out, output, json);
                return true;
            }, follow ? null : () -> caughtUp(server, pulled));
        }
        return 0;
    }

    private static boolean caughtUp(ServerClient server, String subscription) throws ServerClient.Failure {
        JsonNode stats = server.send("GET", "/v1/subscriptions/" + subscription, null, null, true).json().path("stats");
        return stats.path("backlog").asLong() == 0 && stats.path("unacked").asLong() == 0;
    }
}
