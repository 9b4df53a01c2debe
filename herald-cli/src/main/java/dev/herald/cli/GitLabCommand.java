package dev.herald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.gitlab.AuditDestinations;
import dev.herald.gitlab.GitLabSources;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald gitlab}: connect GitLab instances (webhooks) and audit streaming destinations. */
@Command(name = "gitlab", mixinStandardHelpOptions = true,
        description = "Connect a GitLab instance: register or revoke it as a webhook source, create audit "
                + "streaming destinations (needs an admin token).",
        subcommands = {GitLabCommand.Register.class, GitLabCommand.Revoke.class, GitLabCommand.AuditDestination.class},
        footer = {"", "Examples:",
                "  herald gitlab register --instance https://gitlab.example.com",
                "  herald gitlab revoke --instance https://gitlab.example.com",
                "  herald gitlab audit-destination --namespace acme --url https://siem.example.com/gitlab"})
final class GitLabCommand {

    /** {@code herald gitlab register}. */
    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register a GitLab instance as a webhook source and print what to paste into its "
                    + "webhook settings (URL and secret token; the secret is shown only this once).")
    static final class Register implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--instance", required = true, paramLabel = "URL",
                description = "The GitLab instance's URL, as GitLab sends it in X-Gitlab-Instance.")
        String instance;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            ObjectNode request = ServerClient.JSON.createObjectNode().put("name", GitLabSources.NAME_PREFIX + instance);
            request.putArray("scopes").add(GitLabSources.SCOPE);
            try {
                JsonNode created = new ServerClient(client, err).send("POST", "/v1/tokens", "application/json",
                        ServerClient.JSON.writeValueAsBytes(request), false).json();
                PrintWriter out = spec.commandLine().getOut();
                out.println("In GitLab: Settings > Webhooks > Add new webhook (project or group), or Admin > System hooks:");
                out.println("  URL:          " + URI.create(client.server.endsWith("/") ? client.server
                        : client.server + "/").resolve("v1/gitlab/webhooks"));
                out.println("  Secret token: " + created.path("token").asText());
                out.println("  Trigger:      every event you want in Herald");
                out.flush();
                err.println("herald gitlab: registered " + instance + " as source token " + created.path("id").asText()
                        + "; the secret token above is shown only once");
                err.flush();
                return 0;
            } catch (ServerClient.Failure failure) {
                failure.print(err);
                return failure.exitCode;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code herald gitlab revoke}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke every secret token of a GitLab source: its webhooks are refused (401) from now on.")
    static final class Revoke implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--instance", required = true, paramLabel = "URL", description = "The GitLab instance's URL.")
        String instance;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                ServerClient server = new ServerClient(client, err);
                int revoked = 0;
                for (JsonNode token : server.send("GET", "/v1/tokens", null, null, true).json().path("tokens")) {
                    if (token.path("name").asText().equals(GitLabSources.NAME_PREFIX + instance)) {
                        server.send("DELETE", "/v1/tokens/" + URLEncoder.encode(token.path("id").asText(),
                                StandardCharsets.UTF_8), null, null, true);
                        revoked++;
                    }
                }
                if (revoked == 0) {
                    err.println("herald gitlab: no active source is registered for " + instance);
                    err.flush();
                    return Herald.BAD_INPUT;
                }
                spec.commandLine().getOut().println("revoked " + instance + " (" + revoked + " token"
                        + (revoked == 1 ? "" : "s") + ")");
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ServerClient.Failure failure) {
                failure.print(err);
                return failure.exitCode;
            }
        }
    }

    /** {@code herald gitlab audit-destination}. */
    @Command(name = "audit-destination", mixinStandardHelpOptions = true,
            description = {"Create an audit event streaming destination: audit events of a namespace and its "
                    + "descendants are POSTed to the URL with the verification token in "
                    + AuditDestinations.TOKEN_HEADER + ", retried, dead-lettered and redrivable.",
                    "Prints the verification token (shown only this once; it never changes — to rotate it, create "
                    + "a new destination)."})
    static final class AuditDestination implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--id", paramLabel = "ID", description = "The destination's id (default: generated).")
        String id;

        @Option(names = "--url", required = true, paramLabel = "URL", description = "Where the events are sent.")
        String url;

        @Option(names = "--namespace", paramLabel = "PATH",
                description = "A group or project full path; its descendants are included (default: every namespace).")
        String namespace;

        @Option(names = "--event-type", paramLabel = "TYPE",
                description = "Only this audit event type, e.g. user_created (repeatable; default: all).")
        List<String> eventTypes = List.of();

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            String token = AuditDestinations.newVerificationToken();
            try {
                JsonNode created = new ServerClient(client, err).send("POST", "/v1/subscriptions",
                        "application/json", ServerClient.JSON.writeValueAsBytes(
                                AuditDestinations.definition(id, url, namespace, eventTypes, token)), false).json();
                PrintWriter out = spec.commandLine().getOut();
                out.println(token);
                out.flush();
                err.println("herald gitlab: created audit destination " + created.path("id").asText() + " → " + url
                        + "; verification token above (" + AuditDestinations.TOKEN_HEADER + ") is shown only once");
                err.flush();
                return 0;
            } catch (ServerClient.Failure failure) {
                failure.print(err);
                return failure.exitCode;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
