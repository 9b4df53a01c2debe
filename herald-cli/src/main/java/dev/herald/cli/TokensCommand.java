package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald tokens create|list|revoke}: API tokens on a server (needs an admin token). */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"Manage a server's API tokens (needs an admin token).",
                "Scopes: admin, metrics (GET /metrics and /v1/stats only), publish:<type pattern>, "
                + "subscribe:<type pattern>; patterns are globs over event types (ci.*, *.created, *). A token "
                + "restricted to a project publishes and sees only that project's events."},
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class},
        footer = {"", "Examples:",
                "  herald tokens create --name ci --scope 'publish:ci.*'",
                "  herald tokens list",
                "  herald tokens revoke k3x9q2m4a7bz"})
final class TokensCommand {

    /** {@code herald tokens create}. */
    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a token. Prints the token on stdout — the only time it is shown; the server "
                    + "keeps only its hash."},
            footer = {"", "Examples:",
                    "  herald tokens create --name ci --scope 'publish:ci.*'",
                    "  herald tokens create --name dashboards --scope 'subscribe:*' --expires-in 90d",
                    "  herald tokens create --name project-1 --scope 'publish:*' --scope 'subscribe:*' \\",
                    "      --project gid://gitlab/Project/1",
                    "  herald tokens create --name prometheus --scope metrics",
                    "  herald tokens create --name ops --scope admin --output json"})
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Who or what uses it.")
        String name;

        @Option(names = "--scope", required = true, paramLabel = "SCOPE",
                description = "admin, publish:<pattern> or subscribe:<pattern> (repeatable).")
        List<String> scopes;

        @Option(names = "--project", paramLabel = "GID", description = "Restrict the token to one project.")
        String project;

        @Option(names = "--expires-in", paramLabel = "DURATION", description = "e.g. 12h, 30d (default: never).")
        String expiresIn;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "secret",
                description = "secret (just the token) or json (default: ${DEFAULT-VALUE}).")
        String output;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            ObjectNode request = ServerClient.JSON.createObjectNode().put("name", name);
            scopes.forEach(request.putArray("scopes")::add);
            if (project != null) {
                request.put("project", project);
            }
            if (expiresIn != null) {
                request.put("expiresIn", expiresIn);
            }
            try {
                ServerClient server = new ServerClient(client, err);
                JsonNode created = server.send("POST", "/v1/tokens", "application/json",
                        ServerClient.JSON.writeValueAsBytes(request), false).json();
                PrintWriter out = spec.commandLine().getOut();
                if ("json".equals(output)) {
                    out.println(created.toPrettyString());
                } else {
                    out.println(created.get("token").asText());
                    err.println("herald tokens: created " + created.get("id").asText() + " (" + name + ": "
                            + String.join(" ", scopes) + (project == null ? "" : ", project " + project)
                            + "); the token above is shown only once");
                }
                out.flush();
                err.flush();
                return 0;
            } catch (ServerClient.Failure failure) {
                failure.print(err);
                return failure.exitCode;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code herald tokens list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List tokens (never their secrets): id, name, scopes, project, status, last use.",
            footer = {"", "Examples:", "  herald tokens list", "  herald tokens list --all --output json"})
    static final class ListTokens implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--all", description = "Include revoked and expired tokens.")
        boolean all;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table or json (default: ${DEFAULT-VALUE}).")
        String output;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                ServerClient server = new ServerClient(client, err);
                JsonNode tokens = server.send("GET", "/v1/tokens" + (all ? "?all=true" : ""), null, null, true)
                        .json().path("tokens");
                PrintWriter out = spec.commandLine().getOut();
                if ("json".equals(output)) {
                    out.println(tokens.toPrettyString());
                } else {
                    List<String[]> rows = new ArrayList<>();
                    for (JsonNode t : tokens) {
                        List<String> scopes = new ArrayList<>();
                        t.path("scopes").forEach(s -> scopes.add(s.asText()));
                        rows.add(new String[] {t.path("id").asText(), t.path("name").asText(), String.join(" ", scopes),
                                t.path("project").asText("-").equals("null") ? "-" : t.path("project").asText("-"),
                                t.path("status").asText(), date(t, "createdAt"), date(t, "lastUsedAt"),
                                date(t, "expiresAt")});
                    }
                    Tables.print(out, new String[] {"ID", "NAME", "SCOPES", "PROJECT", "STATUS", "CREATED",
                            "LAST USED", "EXPIRES"}, rows);
                }
                out.flush();
                return 0;
            } catch (ServerClient.Failure failure) {
                failure.print(err);
                return failure.exitCode;
            }
        }

        private static String date(JsonNode token, String field) {
            JsonNode value = token.path(field);
            return value.isNull() || value.isMissingNode() ? "-" : value.asText().replaceFirst("\\.\\d+Z$", "Z");
        }
    }

    /** {@code herald tokens revoke}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke tokens by id: they stop working at once. The last admin token cannot be revoked.",
            footer = {"", "Example:", "  herald tokens revoke k3x9q2m4a7bz"})
    static final class Revoke implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(arity = "1..*", paramLabel = "ID", description = "Token ids (see herald tokens list).")
        List<String> ids;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                ServerClient server = new ServerClient(client, err);
                for (String id : ids) {
                    server.send("DELETE", "/v1/tokens/" + java.net.URLEncoder.encode(id,
                            java.nio.charset.StandardCharsets.UTF_8), null, null, true);
                    spec.commandLine().getOut().println("revoked " + id);
                }
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ServerClient.Failure failure) {
                failure.print(err);
                return failure.exitCode;
            }
        }
    }
}
