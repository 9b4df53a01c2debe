package dev.herald.example.repository;

import dev.herald.event.EventBuilder;
import dev.herald.store.EventStore;
import io.cloudevents.CloudEvent;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The repository domain: accepts pushes and announces them as fat {@code repository.push} events
 * carrying everything a subscriber needs (ref, commit range, commits), so nobody calls back here.
 */
public final class Repositories {

    /** A commit in a push. */
    public record Commit(String id, String title, String message, List<String> added, List<String> modified) {
    }

    private final EventStore events;
    private final String baseUrl;

    /**
     * @param events  where the domain publishes
     * @param baseUrl the product's URL, e.g. {@code https://gitlab.example.com}
     */
    public Repositories(EventStore events, String baseUrl) {
        this.events = events;
        this.baseUrl = baseUrl;
    }

    /** Records a push of {@code commits} (newest first) to {@code branch} and publishes it. */
    public CloudEvent push(int projectId, String projectPath, String branch, String before, int userId,
                           String username, List<Commit> commits) {
        Map<String, Object> data = Map.of(
                "ref", "refs/heads/" + branch,
                "before", before,
                "after", commits.getFirst().id(),
                "checkout_sha", commits.getFirst().id(),
                "project_id", projectId,
                "user_id", userId,
                "user_username", username,
                "total_commits_count", commits.size(),
                "commits", commits.stream().map(c -> Map.of("id", c.id(), "title", c.title(), "message", c.message(),
                        "timestamp", OffsetDateTime.now(ZoneOffset.UTC).toString(),
                        "added", c.added(), "modified", c.modified())).toList());
        return events.publish(EventBuilder.create(events.schemas())
                .type("repository.push")
                .source(baseUrl + "/" + projectPath)
                .subject("refs/heads/" + branch)
                .project("gid://gitlab/Project/" + projectId)
                .authType("app_user").authId("gid://gitlab/User/" + userId)
                .data(data)
                .build());
    }
}
