package dev.herald.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One kind of GitLab webhook and how it becomes a Herald event: which {@code X-Gitlab-Event} headers
 * announce it, which payloads are it, and where the envelope's attributes come from.
 *
 * @param name        the kind's name in docs and errors, e.g. {@code note on a commit}
 * @param headers     the {@code X-Gitlab-Event} values GitLab sends it with ({@code System Hook} is
 *                    always accepted too)
 * @param field       the JSON pointer that tells this kind apart, e.g. {@code /object_kind}
 * @param values      the values of {@code field} this kind has
 * @param type        the Herald event type
 * @param subject     the object's global id ({@code gid://gitlab/Issue/301}) or, for a ref, its name
 * @param projectId   pointer to the project id, absent for group-level kinds
 * @param userId      pointer to the id of the user who triggered the hook, absent when GitLab names none
 * @param times       pointers to the object's own timestamps, most specific first
 * @param action      pointer to what happened to the object (the CloudEvents adapter's type suffix)
 * @param namespace   pointer to the full path of the project or group the event belongs to
 */
record HookKind(String name, Set<String> headers, String field, Set<String> values, String type,
                Function<JsonNode, Optional<String>> subject, Optional<String> projectId, Optional<String> userId,
                List<String> times, Optional<String> action, Optional<String> namespace) {

    HookKind {
        Objects.requireNonNull(name, "name");
        headers = Set.copyOf(headers);
        values = Set.copyOf(values);
        times = List.copyOf(times);
    }

    /** Whether {@code payload} is of this kind. */
    boolean matches(JsonNode payload) {
        JsonNode value = payload.at(field);
        return value.isTextual() && values.contains(value.asText());
    }

    /** A subject made of a GitLab global id: {@code gid://gitlab/<model>/<value at pointer>}. */
    static Function<JsonNode, Optional<String>> gid(String model, String pointer) {
        return payload -> text(payload, pointer).map(id -> "gid://gitlab/" + model + "/" + id);
    }

    /** A subject that is the text at {@code pointer} (a ref, a URL). */
    static Function<JsonNode, Optional<String>> at(String pointer) {
        return payload -> text(payload, pointer);
    }

    /** The scalar at {@code pointer} as text; empty when missing, null or empty. */
    static Optional<String> text(JsonNode payload, String pointer) {
        JsonNode value = payload.at(pointer);
        return value.isValueNode() && !value.isNull() && !value.asText().isEmpty()
                ? Optional.of(value.asText()) : Optional.empty();
    }
}
