package dev.herald.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.wire.DeliveryBody;
import dev.herald.server.wire.Page;
import dev.herald.server.wire.ProtocolSettingsBody;
import dev.herald.server.wire.SecretBody;
import dev.herald.server.wire.SubscriptionBody;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald subscriptions create|list|get|delete|pause|resume|enable|rotate-secret}. */
@Command(name = "subscriptions", mixinStandardHelpOptions = true,
        description = "Manage subscriptions on a Herald server: webhooks (signed HTTP push) and streaming pull.",
        subcommands = {SubscriptionsCommand.Create.class, SubscriptionsCommand.ListAll.class,
                SubscriptionsCommand.Get.class, SubscriptionsCommand.Delete.class, SubscriptionsCommand.Pause.class,
                SubscriptionsCommand.Resume.class, SubscriptionsCommand.Enable.class,
                SubscriptionsCommand.RotateSecret.class},
        footer = {"", "Examples:",
                "  herald subscriptions create --type 'ci.*' --sink https://ci.example.com/hooks",
                "  herald subscriptions list",
                "  herald subscriptions pause security-notify",
                "", "Exit codes: 0 ok, 1 failure, 2 bad input (refused body, unknown subscription)."})
final class SubscriptionsCommand {

    enum Output { text, json }

    /** Work against the server. */
    @FunctionalInterface
    interface Remote {
        int run(ServerClient server, PrintWriter out) throws ServerClient.Failure;
    }

    /** Connects, runs the work, prints a failure with its exit code. */
    static int remote(CommandSpec spec, ClientOptions client, Remote work) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            int exit = work.run(new ServerClient(client, err), spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return exit;
        } catch (ServerClient.Failure failure) {
            failure.print(err);
            return failure.exitCode == Herald.FAILURE && failure.status == 404 ? Herald.BAD_INPUT : failure.exitCode;
        }
    }

    static String path(String id) {
        return "/v1/subscriptions/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    /** A subscription answer. */
    static final TypeReference<SubscriptionBody> SUBSCRIPTION = new TypeReference<>() { };

    static void printJson(PrintWriter out, JsonNode json) {
        try {
            out.println(ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (IOException e) {
            out.println(json);
        }
    }

    /** One line per subscription state change. */
    static void printStatus(PrintWriter out, JsonNode subscription) {
        out.printf("%s: %s%s%n", subscription.path("id").asText(), subscription.path("status").asText(),
                subscription.hasNonNull("statusReason") ? " (" + subscription.path("statusReason").asText() + ")" : "");
    }

    /** {@code herald subscriptions create}. */
    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a subscription: a webhook (--sink URL) or a streaming-pull subscription (--pull).",
                    "A webhook's signing secret (Standard Webhooks, whsec_…) is printed once: store it in the receiver."},
            footer = {"", "Examples:",
                    "  herald subscriptions create --id ci-hooks --type 'ci.*' --sink https://ci.example.com/hooks",
                    "  herald subscriptions create --type vulnerabilities.new_finding --sink https://sec.example.com/h \\",
                    "      --header 'X-Gitlab-Event-Streaming-Token=s3cr3t' --max-attempts 10 --backoff-max 1h --ordered",
                    "  herald subscriptions create --pull --type repository.push --from earliest --ack-deadline 30s",
                    "  herald subscriptions create --file subscription.json     # a body in the API's JSON form"})
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--file", paramLabel = "FILE", description = "The whole body as JSON (- for stdin); other "
                + "options are added to it.")
        String file;

        @Option(names = "--id", paramLabel = "ID", description = "The subscription id (default: generated).")
        String id;

        @Option(names = "--sink", paramLabel = "URL", description = "Webhook URL (http or https).")
        String sink;

        @Option(names = "--pull", description = "A streaming-pull subscription (read with GET …/stream or herald tail).")
        boolean pull;

        @Mixin
        SubscriptionFilterOptions filter;

        @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A header sent with every webhook "
                + "request; repeatable.")
        Map<String, String> headers = new LinkedHashMap<>();

        @Option(names = "--structured", description = "Send the whole event as application/cloudevents+json "
                + "(default: binary mode, ce-* headers and the data as body).")
        boolean structured;

        @Option(names = "--method", paramLabel = "METHOD", description = "POST (default) or PUT.")
        String method;

        @Option(names = "--secret", paramLabel = "WHSEC", description = "Signing secret whsec_<base64> (default: "
                + "generated).")
        String secret;

        @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts before the dead letters.")
        Integer maxAttempts;

        @Option(names = "--backoff-min", paramLabel = "DURATION", description = "First retry delay, e.g. 1s.")
        String backoffMin;

        @Option(names = "--backoff-max", paramLabel = "DURATION", description = "Longest retry delay, e.g. 1h.")
        String backoffMax;

        @Option(names = "--ordered", description = "Deliver each partition key's events in order, one at a time.")
        boolean ordered;

        @Option(names = "--concurrency", paramLabel = "N", description = "Webhook requests in flight at once.")
        Integer concurrency;

        @Option(names = "--delay", paramLabel = "DURATION", description = "Deliver no event earlier than this after "
                + "it was published.")
        String delay;

        @Option(names = "--from", paramLabel = "POSITION", description = "latest (default), earliest or an RFC 3339 "
                + "timestamp.")
        String from;

        @Option(names = "--ack-deadline", paramLabel = "DURATION", description = "Pull: time to ack before an event "
                + "is sent again (default 60s).")
        String ackDeadline;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json.")
        Output output = Output.text;

        @Override
        public Integer call() {
            return remote(spec, client, (server, out) -> {
                ObjectNode body = body();
                ServerClient.Reply reply = server.send("POST", "/v1/subscriptions", "application/json",
                        ServerClient.bytes(body), false);
                if (output == Output.json) {
                    printJson(out, reply.json());
                    return 0;
                }
                SubscriptionBody created = reply.as(SUBSCRIPTION);
                out.printf("created %s subscription %s%n", created.protocol(), created.id());
                if (created.sink() != null) {
                    out.printf("sink:   %s%n", created.sink());
                }
                if (created.stream() != null) {
                    out.printf("stream: %s%n", created.stream());
                }
                if (created.secret() != null) {
                    out.printf("secret: %s   (shown only now: configure it in the receiver)%n", created.secret());
                }
                return 0;
            });
        }

        private ObjectNode body() throws ServerClient.Failure {
            ObjectNode body = ServerClient.JSON.createObjectNode();
            if (file != null) {
                try {
                    byte[] bytes = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
                    JsonNode parsed = ServerClient.JSON.readTree(bytes);
                    if (parsed == null || !parsed.isObject()) {
                        throw new ServerClient.Failure(Herald.BAD_INPUT, 0, file + ": must hold a JSON object", null);
                    }
                    body = (ObjectNode) parsed;
                } catch (IOException e) {
                    throw new ServerClient.Failure(Herald.BAD_INPUT, 0, "cannot read " + file + ": " + e.getMessage(),
                            null);
                }
            }
            if (pull && sink != null) {
                throw new ServerClient.Failure(Herald.BAD_INPUT, 0, "give --sink (webhook) or --pull, not both", null);
            }
            ProtocolSettingsBody settings = headers.isEmpty() && !structured && method == null ? null
                    : new ProtocolSettingsBody(method, headers.isEmpty() ? null : headers,
                    structured ? "structured" : null);
            DeliveryBody delivery = new DeliveryBody(maxAttempts, backoffMin == null && backoffMax == null ? null
                    : new DeliveryBody.BackoffBody(backoffMin, backoffMax), ordered ? Boolean.TRUE : null, concurrency,
                    delay, from, ackDeadline);
            SubscriptionBody request = filter.request(id, sink, pull ? "PULL" : null, settings,
                    delivery.equals(new DeliveryBody(null, null, null, null, null, null, null)) ? null : delivery,
                    null, secret);
            merge(body, ServerClient.JSON.valueToTree(request));
            return body;
        }
    }

    /** Sets every field of {@code update} on {@code target}, merging nested objects. */
    private static void merge(ObjectNode target, ObjectNode update) {
        update.properties().forEach(field -> {
            if (field.getValue() instanceof ObjectNode nested && target.get(field.getKey()) instanceof ObjectNode into) {
                merge(into, nested);
            } else {
                target.set(field.getKey(), field.getValue());
            }
        });
    }

    /** {@code herald subscriptions list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the subscriptions this token may see, with status, backlog and dead letters.",
            footer = {"", "Examples:", "  herald subscriptions list", "  herald subscriptions list --status disabled",
                    "  herald subscriptions list --output json | jq '.[].id'"})
    static final class ListAll implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--status", paramLabel = "STATUS", description = "active, paused or disabled.")
        String status;

        @Option(names = "--protocol", paramLabel = "PROTOCOL", description = "HTTP or PULL.")
        String protocol;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json.")
        Output output = Output.text;

        @Override
        public Integer call() {
            return remote(spec, client, (server, out) -> {
                List<SubscriptionBody> all = new ArrayList<>();
                String after = null;
                do {
                    StringBuilder query = new StringBuilder("/v1/subscriptions?limit=500");
                    if (status != null) {
                        query.append("&status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8));
                    }
                    if (protocol != null) {
                        query.append("&protocol=").append(URLEncoder.encode(protocol, StandardCharsets.UTF_8));
                    }
                    if (after != null) {
                        query.append("&after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
                    }
                    Page<SubscriptionBody> page = server.send("GET", query.toString(), null, null, true)
                            .as(new TypeReference<Page<SubscriptionBody>>() { });
                    all.addAll(page.items());
                    after = page.next();
                } while (after != null);
                if (output == Output.json) {
                    printJson(out, ServerClient.JSON.valueToTree(all));
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                for (SubscriptionBody s : all) {
                    List<String> types = s.types() == null ? List.of() : s.types();
                    rows.add(new String[] {s.id(), s.protocol(), s.status(),
                            types.isEmpty() ? "*" : String.join(",", types), s.sink() != null ? s.sink() : s.stream(),
                            Long.toString(s.stats().backlog()), Long.toString(s.stats().deadLetters())});
                }
                Tables.print(out, new String[] {"ID", "PROTOCOL", "STATUS", "TYPES", "SINK", "BACKLOG", "DEAD"},
                        rows);
                return 0;
            });
        }
    }

    /** {@code herald subscriptions get ID}. */
    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Show a subscription as JSON: definition, status, backlog, health.",
            footer = {"", "Example:", "  herald subscriptions get security-notify"})
    static final class Get implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The subscription.")
        String id;

        @Override
        public Integer call() {
            return remote(spec, client, (server, out) -> {
                printJson(out, server.send("GET", path(id), null, null, true).json());
                return 0;
            });
        }
    }

    /** {@code herald subscriptions delete ID}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a subscription with its position and dead letters.",
            footer = {"", "Example:", "  herald subscriptions delete security-notify"})
    static final class Delete implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The subscription.")
        String id;

        @Override
        public Integer call() {
            return remote(spec, client, (server, out) -> {
                server.send("DELETE", path(id), null, null, true);
                out.printf("deleted %s%n", id);
                return 0;
            });
        }
    }

    /** pause, resume and enable: one POST to the subscription's action, then its new status. */
    abstract static class StatusAction implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The subscription.")
        String id;

        /** The action's path segment: {@code pause}, {@code resume} or {@code enable}. */
        abstract String action();

        @Override
        public Integer call() {
            return remote(spec, client, (server, out) -> {
                printStatus(out, server.send("POST", path(id) + "/" + action(), null, null, true).json());
                return 0;
            });
        }
    }

    /** {@code herald subscriptions pause ID}. */
    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Stop delivering; events wait in the backlog until resumed.",
            footer = {"", "Example:", "  herald subscriptions pause security-notify"})
    static final class Pause extends StatusAction {

        @Override
        String action() {
            return "pause";
        }
    }

    /** {@code herald subscriptions resume ID}. */
    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Deliver again after a pause (what waited is delivered).",
            footer = {"", "Example:", "  herald subscriptions resume security-notify"})
    static final class Resume extends StatusAction {

        @Override
        String action() {
            return "resume";
        }
    }

    /** {@code herald subscriptions enable ID}. */
    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = "Re-enable a webhook Herald disabled (410 Gone, or failing too long); clears its failure count.",
            footer = {"", "Example:", "  herald subscriptions enable security-notify"})
    static final class Enable extends StatusAction {

        @Override
        String action() {
            return "enable";
        }
    }

    /** {@code herald subscriptions rotate-secret ID}. */
    @Command(name = "rotate-secret", mixinStandardHelpOptions = true,
            description = {"Give a webhook a new signing secret. The previous one keeps signing for the server's grace "
                    + "period (default 24 h): requests carry both signatures, so receivers switch without downtime."},
            footer = {"", "Examples:", "  herald subscriptions rotate-secret security-notify",
                    "  herald subscriptions rotate-secret security-notify --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
    static final class RotateSecret implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The subscription.")
        String id;

        @Option(names = "--secret", paramLabel = "WHSEC", description = "The new secret (default: generated).")
        String secret;

        @Override
        public Integer call() {
            return remote(spec, client, (server, out) -> {
                byte[] body = secret == null ? null : ServerClient.bytes(new SecretBody(secret));
                SubscriptionBody rotated = server.send("POST", path(id) + "/rotate-secret",
                        body == null ? null : "application/json", body, false).as(SUBSCRIPTION);
                out.printf("secret: %s   (shown only now)%n", rotated.secret());
                if (rotated.secretRotation() != null) {
                    out.printf("the previous secret also signs until %s%n",
                            rotated.secretRotation().previousSecretValidUntil());
                }
                return 0;
            });
        }
    }
}
