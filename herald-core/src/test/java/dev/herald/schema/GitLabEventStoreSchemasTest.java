package dev.herald.schema;

import static dev.herald.schema.TestSchemas.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.Violation;
import dev.herald.fixtures.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitLab's real EventStore schemas (draft-07, no {@code $schema}) load as a catalog when the registry is
 * told to assume draft-07, and validate data as GitLab's json_schemer would.
 */
class GitLabEventStoreSchemasTest {

    @TempDir
    static Path catalog;

    private static SchemaRegistry registry;

    /** Lays the fixtures out as {@code <type>/v1.json}, the type being the file's Ruby class name. */
    @BeforeAll
    static void loadGitLabSchemas() throws IOException {
        Path fixtures = SharedFixtures.require("gitlab/event_store_schemas");
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                String type = file.getFileName().toString().replaceFirst("\\.(data_)?schema\\.json$", "");
                Path target = catalog.resolve(type).resolve("v1.json");
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        registry = SchemaRegistry.load(catalog, SchemaRegistry.Options.defaults().withDefaultDialect(SchemaDialect.DRAFT_7));
    }

    @Test
    void all13LoadAsTypes() {
        assertThat(registry.types()).hasSize(13).contains("Ci.PipelineCreatedEvent", "Members.DestroyedCloudEvent",
                "Gitlab.EventStore.CloudEvent.envelope", "WorkItems.WorkItemUpdatedEvent");
    }

    @Test
    void pipelineFinished() {
        String type = "Ci.PipelineFinishedEvent";

        assertThat(registry.validate(type, null, json("{'pipeline_id': 7, 'status': 'success', 'partition_id': 100}"))).isEmpty();
        assertThat(registry.validate(type, null, json("{'pipeline_id': '7', 'source': 1}"))).containsExactlyInAnyOrder(
                new Violation("data/pipeline_id", "type: must be integer", "\"7\""),
                new Violation("data/source", "type: must be string", "1"),
                Violation.missing("data/status", "required: property 'status' is missing"));
    }

    @Test
    void memberDestroyed() {
        String type = "Members.DestroyedCloudEvent";

        assertThat(registry.validate(type, null, json("{'source_id': 1, 'source_type': 'Group', 'user_id': null}"))).isEmpty();
        assertThat(registry.validate(type, null, json("{'source_id': 1, 'source_type': 'User', 'user_id': 'u'}")))
                .containsExactlyInAnyOrder(
                        new Violation("data/source_type", "enum: must be one of [Project, Group]", "\"User\""),
                        new Violation("data/user_id", "type: must be one of [integer, null]", "\"u\""));
    }

    @Test
    void mergeRequestApproved() {
        String type = "MergeRequests.ApprovedEvent";

        assertThat(registry.validate(type, null,
                json("{'current_user_id': 1, 'merge_request_id': 2, 'approved_at': '2024-05-01T10:00:00Z'}"))).isEmpty();
        assertThat(registry.validate(type, null, json("{'current_user_id': 1, 'merge_request_id': 2, 'approved_at': 'today'}")))
                .containsExactly(new Violation("data/approved_at", "format: must be a valid date-time", "\"today\""));
    }

    @Test
    void workItemUpdatedChecksTypedArrayItems() {
        assertThat(registry.validate("WorkItems.WorkItemUpdatedEvent", null,
                json("{'id': 1, 'namespace_id': 2, 'updated_attributes': ['title', 3]}")))
                .containsExactly(new Violation("data/updated_attributes/1", "type: must be string", "3"));
    }

    @Test
    void theApprovedCloudEventAddsARequiredFieldToTheClassicEvent() {
        var classic = registry.latest("MergeRequests.ApprovedEvent").orElseThrow().schema();
        var cloud = registry.latest("MergeRequests.ApprovedCloudEvent").orElseThrow().schema();

        assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, classic, cloud)).containsExactlyInAnyOrder(
                new Incompatibility("", "new required field 'merge_request_iid'"),
                new Incompatibility("", "new required field 'project_id'"),
                new Incompatibility("", "new required field 'approved_at'"));
        assertThat(List.of(classic, cloud)).allSatisfy(schema -> assertThat(schema.has("$schema")).isFalse());
    }
}
