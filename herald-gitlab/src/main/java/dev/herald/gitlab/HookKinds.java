package dev.herald.gitlab;

import static dev.herald.gitlab.HookKind.at;
import static dev.herald.gitlab.HookKind.gid;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The mapping table of GitLab's webhooks (project, group and system hooks) to Herald event types,
 * following the CloudEvents GitLab adapter ({@code com.gitlab.push}, {@code com.gitlab.tag_push},
 * {@code com.gitlab.note.commit}, …) where it names a type. Where the adapter appends the object's
 * state to the type ({@code com.gitlab.pipeline.success}), Herald keeps one type per kind and carries
 * that suffix in the {@code action} extension: a status GitLab adds later then still has a schema,
 * and a subscriber filters {@code action} instead of guessing every type name.
 */
final class HookKinds {

    static final String SYSTEM_HOOK = "System Hook";

    static final List<HookKind> ALL = List.of(
            kind("push", Set.of("Push Hook"), "/object_kind", Set.of("push"), "com.gitlab.push",
                    at("/ref"), "/project_id", "/user_id", List.of(), null, "/project/path_with_namespace"),
            kind("tag push", Set.of("Tag Push Hook"), "/object_kind", Set.of("tag_push"), "com.gitlab.tag_push",
                    at("/ref"), "/project_id", "/user_id", List.of(), null, "/project/path_with_namespace"),
            kind("issue", Set.of("Issue Hook", "Confidential Issue Hook"), "/object_kind", Set.of("issue"),
                    "com.gitlab.issue", gid("Issue", "/object_attributes/id"), "/project/id", "/user/id",
                    List.of("/object_attributes/updated_at", "/object_attributes/created_at"),
                    "/object_attributes/state", "/project/path_with_namespace"),
            note("commit", "Commit"),
            note("merge_request", "MergeRequest"),
            note("issue", "Issue"),
            note("snippet", "Snippet"),
            kind("merge request", Set.of("Merge Request Hook"), "/object_kind", Set.of("merge_request"),
                    "com.gitlab.merge_request", gid("MergeRequest", "/object_attributes/id"), "/project/id",
                    "/user/id", List.of("/object_attributes/updated_at", "/object_attributes/created_at"),
                    "/object_attributes/action", "/project/path_with_namespace"),
            kind("wiki page", Set.of("Wiki Page Hook"), "/object_kind", Set.of("wiki_page"), "com.gitlab.wiki_page",
                    at("/object_attributes/url"), "/project/id", "/user/id", List.of(), "/object_attributes/action",
                    "/project/path_with_namespace"),
            kind("pipeline", Set.of("Pipeline Hook"), "/object_kind", Set.of("pipeline"), "com.gitlab.pipeline",
                    gid("Ci::Pipeline", "/object_attributes/id"), "/project/id", "/user/id",
                    List.of("/object_attributes/finished_at", "/object_attributes/created_at"),
                    "/object_attributes/status", "/project/path_with_namespace"),
            kind("job", Set.of("Job Hook"), "/object_kind", Set.of("build"), "com.gitlab.job",
                    gid("Ci::Build", "/build_id"), "/project_id", "/user/id",
                    List.of("/build_finished_at", "/build_started_at", "/build_created_at"), "/build_status",
                    "/project/path_with_namespace"),
            kind("deployment", Set.of("Deployment Hook"), "/object_kind", Set.of("deployment"),
                    "com.gitlab.deployment", gid("Deployment", "/deployment_id"), "/project/id", "/user/id",
                    List.of("/status_changed_at"), "/status", "/project/path_with_namespace"),
            kind("group member", Set.of("Member Hook"), "/event_name", Set.of("user_add_to_group",
                            "user_update_for_group", "user_remove_from_group", "user_access_request_to_group",
                            "user_access_request_denied_for_group"), "com.gitlab.member",
                    gid("User", "/user_id"), null, null, List.of("/updated_at", "/created_at"), "/event_name",
                    "/group_path"),
            kind("project", Set.of("Project Hook"), "/event_name", Set.of("project_create", "project_destroy"),
                    "com.gitlab.project", gid("Project", "/project_id"), "/project_id", null,
                    List.of("/updated_at", "/created_at"), "/event_name", "/path_with_namespace"),
            kind("subgroup", Set.of("Subgroup Hook"), "/event_name", Set.of("subgroup_create", "subgroup_destroy"),
                    "com.gitlab.subgroup", gid("Group", "/group_id"), null, null,
                    List.of("/updated_at", "/created_at"), "/event_name", "/full_path"),
            kind("feature flag", Set.of("Feature Flag Hook"), "/object_kind", Set.of("feature_flag"),
                    "com.gitlab.feature_flag", gid("Operations::FeatureFlag", "/object_attributes/id"), "/project/id",
                    "/user/id", List.of(), null, "/project/path_with_namespace"),
            kind("release", Set.of("Release Hook"), "/object_kind", Set.of("release"), "com.gitlab.release",
                    gid("Release", "/id"), "/project/id", null, List.of("/created_at"), "/action",
                    "/project/path_with_namespace"),
            kind("milestone", Set.of("Milestone Hook"), "/object_kind", Set.of("milestone"), "com.gitlab.milestone",
                    gid("Milestone", "/object_attributes/id"), "/project/id", null,
                    List.of("/object_attributes/updated_at", "/object_attributes/created_at"), "/action",
                    "/project/path_with_namespace"),
            kind("emoji", Set.of("Emoji Hook"), "/object_kind", Set.of("emoji"), "com.gitlab.emoji",
                    gid("AwardEmoji", "/object_attributes/id"), "/project_id", "/user/id",
                    List.of("/object_attributes/updated_at", "/object_attributes/created_at"), "/event_type",
                    "/project/path_with_namespace"),
            kind("resource access token", Set.of("Resource Access Token Hook"), "/object_kind",
                    Set.of("access_token"), "com.gitlab.access_token",
                    gid("PersonalAccessToken", "/object_attributes/id"), "/project/id", null,
                    List.of("/object_attributes/created_at"), "/event_name", "/project/path_with_namespace"),
            kind("vulnerability", Set.of("Vulnerability Hook"), "/object_kind", Set.of("vulnerability"),
                    "com.gitlab.vulnerability", at("/object_attributes/url"),
                    "/object_attributes/project_id", null,
                    List.of("/object_attributes/updated_at", "/object_attributes/created_at"),
                    "/object_attributes/state", null));

    private HookKinds() {
    }

    /** Every header GitLab sends that the bridge knows. */
    static boolean knowsHeader(String header) {
        return SYSTEM_HOOK.equals(header) || ALL.stream().anyMatch(k -> k.headers().contains(header));
    }

    /** The kind announced by {@code header} that {@code payload} is; empty when none is. */
    static Optional<HookKind> of(String header, JsonNode payload) {
        return ALL.stream()
                .filter(k -> SYSTEM_HOOK.equals(header) || k.headers().contains(header))
                .filter(k -> k.matches(payload))
                .findFirst();
    }

    private static HookKind note(String noteable, String noteableType) {
        return new HookKind("note on a " + noteable.replace('_', ' '), Set.of("Note Hook", "Confidential Note Hook"),
                "/object_attributes/noteable_type", Set.of(noteableType), "com.gitlab.note." + noteable,
                gid("Note", "/object_attributes/id"), Optional.of("/project_id"), Optional.of("/user/id"),
                List.of("/object_attributes/updated_at", "/object_attributes/created_at"), Optional.empty(),
                Optional.of("/project/path_with_namespace"));
    }

    private static HookKind kind(String name, Set<String> headers, String field, Set<String> values, String type,
                                 java.util.function.Function<JsonNode, Optional<String>> subject, String projectId,
                                 String userId, List<String> times, String action, String namespace) {
        return new HookKind(name, headers, field, values, type, subject, Optional.ofNullable(projectId),
                Optional.ofNullable(userId), times, Optional.ofNullable(action), Optional.ofNullable(namespace));
    }
}
