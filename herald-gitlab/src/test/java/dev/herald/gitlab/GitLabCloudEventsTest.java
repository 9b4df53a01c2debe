package dev.herald.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.schema.SchemaRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GitLab's own CloudEvents and EventStore schemas, through {@code POST /v1/events} of a real server. */
class GitLabCloudEventsTest {

    @TempDir
    static Path data;
    static GitLabServer gitlab;

    @BeforeAll
    static void start() {
        gitlab = new GitLabServer(data);
    }

    @AfterAll
    static void stop() {
        gitlab.close();
    }

    /** {@code MergeRequests::ApprovedCloudEvent.build(...)}, attribute by attribute as GitLab's builder sets them. */
    static ObjectNode approvedCloudEvent() {
        ObjectNode event = GitLabServer.JSON.createObjectNode();
        event.put("specversion", "1.0");
        event.put("type", "com.gitlab.merge_requests.approved");
        event.put("dataschema", "https://gitlab.com/schemas/merge_requests/approved/v1.0");
        event.put("id", UUID.randomUUID().toString());
        event.put("datacontenttype", "application/json");
        event.put("time", "2026-12-05T10:15:30+00:00");
        event.put("source", "projects/15");
        event.put("subject", "merge_requests/99");
        ObjectNode eventData = event.putObject("data");
        eventData.put("merge_request_id", 99);
        eventData.put("merge_request_iid", 1);
        eventData.put("project_id", 15);
        eventData.put("approved_at", "2026-12-05T10:15:29.123456+00:00");
        event.put("gitlab_user_id", 42);
        event.put("gitlab_user_username", "jane");
        event.put("gitlab_organization_id", 1);
        return event;
    }

    static GitLabServer.Response publish(JsonNode event) {
        return gitlab.send("POST", "/v1/events", Map.of("Authorization", "Bearer " + GitLabServer.ADMIN,
                "Content-Type", "application/cloudevents+json"), event.toString());
    }

    @Test
    void aCloudEventAsGitLabBuildsItIsAcceptedAndMapped() {
        ObjectNode event = approvedCloudEvent();

        GitLabServer.Response response = publish(event);

        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        JsonNode stored = null;
        for (JsonNode candidate : gitlab.events().path("events")) {
            if (candidate.path("id").asText().equals(event.path("id").asText())) {
                stored = candidate;
            }
        }
        assertThat(stored).isNotNull();
        assertThat(stored.path("type").asText()).isEqualTo("com.gitlab.merge_requests.approved");
        assertThat(stored.path("dataschema").asText()).isEqualTo("https://gitlab.com/schemas/merge_requests/approved/v1.0");
        assertThat(stored.path("authid").asText()).isEqualTo("gid://gitlab/User/42");
        assertThat(stored.path("authtype").asText()).isEqualTo("app_user");
        assertThat(stored.path("authusername").asText()).isEqualTo("jane");
        assertThat(stored.path("organization").asText()).isEqualTo("gid://gitlab/Organizations::Organization/1");
        assertThat(stored.path("project").asText()).isEqualTo("gid://gitlab/Project/15");
        assertThat(stored.has("gitlab_user_id")).isFalse();
        assertThat(stored.path("data")).isEqualTo(event.path("data"));
    }

    @ParameterizedTest(name = "without {0}")
    @CsvSource({"gitlab_user_id", "gitlab_user_username", "gitlab_organization_id", "subject"})
    void oneMissingARequiredGitLabAttributeIsRefusedNamingIt(String attribute) {
        ObjectNode event = approvedCloudEvent();
        event.remove(attribute);

        GitLabServer.Response response = publish(event);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().path("violations").get(0).path("where").asText()).isEqualTo(attribute);
        assertThat(response.body().path("violations").get(0).path("rule").asText())
                .contains("Gitlab::EventStore::CloudEvent");
    }

    @Test
    void dataThatBreaksGitLabsDataSchemaIsRefused() {
        ObjectNode event = approvedCloudEvent();
        ((ObjectNode) event.path("data")).remove("approved_at");

        GitLabServer.Response response = publish(event);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().toString()).contains("approved_at");
    }

    @Test
    void aWronglyTypedGitLabAttributeIsRefused() {
        ObjectNode event = approvedCloudEvent();
        event.put("gitlab_user_id", "42");

        GitLabServer.Response response = publish(event);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().path("violations").get(0).path("rule").asText()).contains("JSON number");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({
            "Ci.PipelineCreatedEvent.schema.json, Ci.PipelineCreatedEvent",
            "Ci.PipelineFinishedEvent.schema.json, Ci.PipelineFinishedEvent",
            "ContainerRegistry.ImagePushedEvent.schema.json, ContainerRegistry.ImagePushedEvent",
            "Gitlab.FeatureFlags.FeatureFlagModifiedEvent.schema.json, Gitlab.FeatureFlags.FeatureFlagModifiedEvent",
            "Members.MembersAddedEvent.schema.json, Members.MembersAddedEvent",
            "MergeRequests.ApprovedEvent.schema.json, MergeRequests.ApprovedEvent",
            "Projects.ProjectAttributesChangedEvent.schema.json, Projects.ProjectAttributesChangedEvent",
            "Projects.ProjectDeletedEvent.schema.json, Projects.ProjectDeletedEvent",
            "Projects.ProjectTransferedEvent.schema.json, Projects.ProjectTransferedEvent",
            "WorkItems.WorkItemUpdatedEvent.schema.json, WorkItems.WorkItemUpdatedEvent",
            "MergeRequests.ApprovedCloudEvent.data_schema.json, com.gitlab.merge_requests.approved",
            "Members.DestroyedCloudEvent.data_schema.json, com.gitlab.members.destroyed"})
    void theCatalogShipsGitLabsEventStoreSchemasUnderGitLabsTypeNames(String file, String type) throws IOException {
        JsonNode gitlabs = GitLabServer.JSON.readTree(
                Files.readString(GitLabServer.FIXTURES.resolve("event_store_schemas").resolve(file)));
        JsonNode shipped = SchemaRegistry.builtinCatalog().latest(type).orElseThrow().schema();

        assertThat(shipped.path("properties")).isEqualTo(gitlabs.path("properties"));
        assertThat(shipped.path("required")).isEqualTo(gitlabs.path("required"));
        assertThat(shipped.path("$schema").asText()).isEqualTo("http://json-schema.org/draft-07/schema#");
    }
}
