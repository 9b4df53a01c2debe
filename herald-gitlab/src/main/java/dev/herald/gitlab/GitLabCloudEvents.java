package dev.herald.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EnvelopeMapping;
import dev.herald.event.HeraldAttributes;
import dev.herald.event.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Accepts the CloudEvents GitLab builds itself ({@code Gitlab::EventStore::CloudEvent}): type
 * {@code com.gitlab.<category>.<type>}, dataschema {@code https://gitlab.com/schemas/<category>/<type>/v1.0}
 * (an alias of the type's schema in the catalog), and three extensions whose names break the
 * CloudEvents naming rule. Those are checked against GitLab's own envelope rules and mapped:
 *
 * <table>
 *   <caption>GitLab attribute → Herald attribute</caption>
 *   <tr><td>{@code gitlab_user_id: 42}</td><td>{@code authid = gid://gitlab/User/42}, {@code authtype = app_user}</td></tr>
 *   <tr><td>{@code gitlab_user_username: "jane"}</td><td>{@code authusername = jane}</td></tr>
 *   <tr><td>{@code gitlab_organization_id: 1}</td><td>{@code organization = gid://gitlab/Organizations::Organization/1}</td></tr>
 *   <tr><td>{@code gitlab_composite_actor_id: 7}</td><td>{@code compositeactorid = gid://gitlab/User/7}</td></tr>
 *   <tr><td>{@code source: "projects/15"}</td><td>{@code project = gid://gitlab/Project/15} (added)</td></tr>
 * </table>
 *
 * <p>An event is GitLab's when it carries a {@code gitlab_*} attribute or a GitLab dataschema. Such an
 * event missing an attribute GitLab's envelope requires, or carrying one of the wrong JSON type, is
 * refused naming the attribute and the rule.
 */
final class GitLabCloudEvents implements EnvelopeMapping {

    static final String SCHEMA_PREFIX = "https://gitlab.com/schemas/";
    static final String USERNAME = "authusername";
    static final String COMPOSITE_ACTOR = "compositeactorid";
    private static final Pattern PROJECT_SOURCE = Pattern.compile("projects/(\\d+)");

    /** GitLab's envelope: every attribute it requires, with the JSON type it demands. */
    private static final List<String[]> REQUIRED = List.of(
            new String[] {"specversion", "string"}, new String[] {"type", "string"},
            new String[] {"source", "string"}, new String[] {"id", "string"}, new String[] {"time", "string"},
            new String[] {"datacontenttype", "string"}, new String[] {"dataschema", "string"},
            new String[] {"subject", "string"}, new String[] {"data", "object"},
            new String[] {"gitlab_user_id", "number"}, new String[] {"gitlab_user_username", "string"},
            new String[] {"gitlab_organization_id", "number"});

    @Override
    public String name() {
        return "gitlab";
    }

    @Override
    public boolean applies(ObjectNode event) {
        for (String field : (Iterable<String>) event::fieldNames) {
            if (field.startsWith("gitlab_")) {
                return true;
            }
        }
        return event.path("dataschema").asText("").startsWith(SCHEMA_PREFIX);
    }

    @Override
    public List<Violation> map(ObjectNode event) {
        List<Violation> violations = new ArrayList<>();
        for (String[] attribute : REQUIRED) {
            JsonNode value = event.get(attribute[0]);
            if (value == null || value.isNull()) {
                violations.add(Violation.missing(attribute[0], "is required by GitLab's CloudEvent envelope "
                        + "(Gitlab::EventStore::CloudEvent)"));
            } else if (!hasType(value, attribute[1])) {
                violations.add(new Violation(attribute[0], "must be a JSON " + attribute[1]
                        + " in GitLab's CloudEvent envelope", value.toString()));
            }
        }
        JsonNode composite = event.get("gitlab_composite_actor_id");
        if (composite != null && !composite.isNumber()) {
            violations.add(new Violation("gitlab_composite_actor_id", "must be a JSON number in GitLab's "
                    + "CloudEvent envelope", composite.toString()));
        }
        if (!event.path("type").asText("").startsWith("com.gitlab.")) {
            violations.add(new Violation("type", "a GitLab CloudEvent's type is com.gitlab.<category>.<type>",
                    event.path("type").asText(null)));
        }
        for (String field : (Iterable<String>) event::fieldNames) {
            if (field.startsWith("gitlab_") && !List.of("gitlab_user_id", "gitlab_user_username",
                    "gitlab_organization_id", "gitlab_composite_actor_id").contains(field)) {
                violations.add(new Violation(field, "is not an attribute of GitLab's CloudEvent envelope", null));
            }
        }
        if (!violations.isEmpty()) {
            return violations;
        }
        event.put(HeraldAttributes.AUTHID, "gid://gitlab/User/" + event.remove("gitlab_user_id").asLong());
        event.put(HeraldAttributes.AUTHTYPE, "app_user");
        event.put(USERNAME, event.remove("gitlab_user_username").asText());
        event.put(GitLabAttributes.ORGANIZATION, "gid://gitlab/Organizations::Organization/"
                + event.remove("gitlab_organization_id").asLong());
        if (composite != null) {
            event.put(COMPOSITE_ACTOR, "gid://gitlab/User/" + event.remove("gitlab_composite_actor_id").asLong());
        }
        Matcher project = PROJECT_SOURCE.matcher(event.path("source").asText());
        if (project.matches() && !event.has(HeraldAttributes.PROJECT)) {
            event.put(HeraldAttributes.PROJECT, "gid://gitlab/Project/" + project.group(1));
        }
        return List.of();
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            default -> value.isObject();
        };
    }
}
