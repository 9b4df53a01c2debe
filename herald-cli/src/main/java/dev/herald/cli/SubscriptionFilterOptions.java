package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.server.wire.DeliveryBody;
import dev.herald.server.wire.ProtocolSettingsBody;
import dev.herald.server.wire.SubscriptionBody;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which events a subscription made by the CLI receives ({@code tail}, {@code replay},
 * {@code subscriptions create}): types, subject, source, project, and raw filters in the
 * CloudEvents Subscriptions API dialects.
 */
final class SubscriptionFilterOptions {

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE",
            description = "Event type, or a prefix ending in * (ci.*); repeatable. Tokens without the admin scope must "
                    + "name the types they may subscribe to.")
    List<String> types = new ArrayList<>();

    @Option(names = "--subject", paramLabel = "SUBJECT",
            description = "Only events with this subject (a trailing * matches a prefix).")
    String subject;

    @Option(names = "--source", paramLabel = "URI", description = "Only events from this source (exact).")
    String source;

    @Option(names = "--project", paramLabel = "GID", description = "Only this project's events, "
            + "e.g. gid://gitlab/Project/1.")
    String project;

    @Option(names = "--filter", paramLabel = "JSON", description = "A filter in the Subscriptions API form, e.g. "
            + "'{\"suffix\": {\"type\": \".created\"}}'; repeatable (all must match).")
    List<String> filters = new ArrayList<>();

    @Option(names = "--sql", paramLabel = "CESQL", description = "A CESQL v1 filter expression, e.g. "
            + "\"authtype = 'app_user'\".")
    String sql;

    /**
     * A subscription request with these options' {@code types}, {@code source} and {@code filters}
     * and the given rest (each null when not asked for).
     */
    SubscriptionBody request(String id, String sink, String protocol, ProtocolSettingsBody settings,
                             DeliveryBody delivery, Boolean ephemeral, String secret) throws ServerClient.Failure {
        return SubscriptionBody.request(id, source, types.isEmpty() ? null : List.copyOf(types), null, filters(), sink,
                protocol, settings, delivery, ephemeral, secret);
    }

    private ArrayNode filters() throws ServerClient.Failure {
        ArrayNode filterNode = ServerClient.JSON.createArrayNode();
        if (subject != null) {
            String dialect = subject.endsWith("*") ? "prefix" : "exact";
            String value = subject.endsWith("*") ? subject.substring(0, subject.length() - 1) : subject;
            filterNode.addObject().putObject(dialect).put("subject", value);
        }
        if (project != null) {
            filterNode.addObject().putObject("exact").put("project", project);
        }
        for (String filter : filters) {
            try {
                JsonNode parsed = ServerClient.JSON.readTree(filter);
                if (parsed == null || !parsed.isObject()) {
                    throw new ServerClient.Failure(Herald.BAD_INPUT, 0, "--filter must be a JSON object such as "
                            + "{\"prefix\": {\"type\": \"ci.\"}}: " + filter, null);
                }
                filterNode.add(parsed);
            } catch (IOException e) {
                throw new ServerClient.Failure(Herald.BAD_INPUT, 0, "--filter is not JSON: " + filter, null);
            }
        }
        if (sql != null) {
            filterNode.addObject().put("sql", sql);
        }
        return filterNode.isEmpty() ? null : filterNode;
    }
}
