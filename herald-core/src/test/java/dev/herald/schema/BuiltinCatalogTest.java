package dev.herald.schema;

import static dev.herald.schema.TestSchemas.fatEventExample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.Violation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog Herald ships: what it declares, and that the reference fat event validates against it. */
class BuiltinCatalogTest {

    private static final String NEW_FINDING = "vulnerabilities.new_finding";
    private static final URI GITLAB_SCHEMA = URI.create("https://schemas.gitlab.com/17.5/vulnerabilities/new_finding.json");

    private final SchemaRegistry catalog = SchemaRegistry.builtinCatalog();

    @Test
    void declaresTheGitLabLikeTypes() {
        assertThat(catalog.types()).containsExactly("ci.pipeline.created", "ci.pipeline.finished",
                "members.destroyed", "merge_requests.approved", "projects.project.deleted", "repository.push",
                NEW_FINDING);
        assertThat(catalog.versions("projects.project.deleted")).extracting(SchemaVersion::version).containsExactly(1, 2);
    }

    @Test
    void everyVersionIsDocumentedAndEveryExampleValidates() {
        for (String type : catalog.types()) {
            for (SchemaVersion version : catalog.versions(type)) {
                JsonNode schema = version.schema();
                assertThat(schema.path("title").asText()).as("%s v%d title", type, version.version()).isNotBlank();
                assertThat(schema.path("description").asText()).as("%s v%d description", type, version.version()).isNotBlank();
                assertThat(version.examples()).as("%s v%d examples", type, version.version()).isNotEmpty();
                for (JsonNode example : version.examples()) {
                    assertThat(catalog.validate(type, version.uri(), example))
                            .as("%s v%d example %s", type, version.version(), example).isEmpty();
                }
            }
        }
    }

    @Test
    void everyNewerVersionIsBackwardCompatibleWithTheOneBefore() {
        for (String type : catalog.types()) {
            List<SchemaVersion> versions = catalog.versions(type);
            for (int i = 1; i < versions.size(); i++) {
                assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, versions.get(i - 1).schema(),
                        versions.get(i).schema())).as("%s v%d", type, i + 1).isEmpty();
            }
        }
        // The v2 that demonstrates versioning adds an optional field, so old consumers still read it too.
        assertThat(CompatibilityChecker.check(Compatibility.FULL, catalog.find("projects.project.deleted", 1).orElseThrow().schema(),
                catalog.find("projects.project.deleted", 2).orElseThrow().schema())).isEmpty();
    }

    @Test
    void theFatEventExampleValidatesThroughItsGitLabDataschema() {
        JsonNode event = fatEventExample();
        URI dataschema = URI.create(event.get("dataschema").asText());

        assertThat(dataschema).isEqualTo(GITLAB_SCHEMA);
        assertThat(catalog.byUri(dataschema)).map(SchemaVersion::uri)
                .contains(URI.create("http://localhost:8080/v1/schemas/vulnerabilities.new_finding/v1"));
        assertThat(catalog.validate(event.get("type").asText(), dataschema, event.get("data"))).isEmpty();
        assertThat(catalog.validate(NEW_FINDING, null, event.get("data"))).isEmpty();
    }

    @Test
    void aBooleanSentAsAStringIsRefusedAtItsPointer() {
        ObjectNode data = fatEventData();
        data.put("severity_overridden", "false");

        assertThat(catalog.validate(NEW_FINDING, GITLAB_SCHEMA, data))
                .containsExactly(new Violation("data/severity_overridden", "type: must be boolean", "\"false\""));
    }

    @Test
    void aMissingTitleIsReportedAtTheMissingProperty() {
        ObjectNode data = fatEventData();
        data.remove("title");

        assertThat(catalog.validate(NEW_FINDING, GITLAB_SCHEMA, data))
                .containsExactly(Violation.missing("data/title", "required: property 'title' is missing"));
    }

    @Test
    void anUnknownSeverityIsRefusedWithTheAllowedValues() {
        ObjectNode data = fatEventData();
        data.put("severity", "urgent");

        assertThat(catalog.validate(NEW_FINDING, GITLAB_SCHEMA, data)).containsExactly(new Violation("data/severity",
                "enum: must be one of [info, unknown, low, medium, high, critical]", "\"urgent\""));
    }

    @Test
    void nullIdentifiersAreRefused() {
        ObjectNode data = fatEventData();
        data.putNull("identifiers");

        assertThat(catalog.validate(NEW_FINDING, GITLAB_SCHEMA, data))
                .containsExactly(new Violation("data/identifiers", "type: must be array", "null"));
    }

    @Test
    void aBrokenIdentifierIsReportedInsideTheArray() {
        ObjectNode data = fatEventData();
        ObjectNode identifier = (ObjectNode) data.withArray("/identifiers").get(0);
        identifier.remove("external_id");
        identifier.put("name", 7);

        assertThat(catalog.validate(NEW_FINDING, GITLAB_SCHEMA, data)).containsExactlyInAnyOrder(
                new Violation("data/identifiers/0/name", "type: must be string", "7"),
                Violation.missing("data/identifiers/0/external_id", "required: property 'external_id' is missing"));
    }

    @Test
    void emptyIdentifiersAndAMalformedDismissalTimeAreRefused() {
        ObjectNode data = fatEventData();
        data.set("identifiers", data.arrayNode());
        data.put("dismissed_at", "yesterday");

        assertThat(catalog.validate(NEW_FINDING, GITLAB_SCHEMA, data)).containsExactlyInAnyOrder(
                new Violation("data/identifiers", "minItems: must have at least 1 items", "[]"),
                new Violation("data/dismissed_at", "format: must be a valid date-time", "\"yesterday\""));
    }

    @Test
    void loadsFromAJarToo(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("catalog.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                Stream<Path> files = Files.list(catalogDirectory().resolve("ci.pipeline.created"))) {
            out.putNextEntry(new JarEntry("herald/catalog/"));
            out.putNextEntry(new JarEntry("herald/catalog/ci.pipeline.created/"));
            for (Path schema : files.toList()) {
                out.putNextEntry(new JarEntry("herald/catalog/ci.pipeline.created/" + schema.getFileName()));
                out.write(Files.readAllBytes(schema));
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            SchemaRegistry fromJar = SchemaRegistry.builtinCatalog(SchemaRegistry.Options.defaults(), loader);

            assertThat(fromJar.types()).containsExactly("ci.pipeline.created");
            assertThat(fromJar.validate("ci.pipeline.created", null, TestSchemas.json("{'pipeline_id': 1}"))).isEmpty();
        }
    }

    @Test
    void readsTheCatalogPartsOfEveryJarOnTheClasspath(@TempDir Path dir) throws IOException {
        URL first = jarOf(dir.resolve("first.jar"), "ci.pipeline.created");
        URL second = jarOf(dir.resolve("second.jar"), "projects.project.deleted");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {first, second}, null)) {
            SchemaRegistry parts = SchemaRegistry.builtinCatalog(SchemaRegistry.Options.defaults(), loader);

            assertThat(parts.types()).containsExactly("ci.pipeline.created", "projects.project.deleted");
            assertThat(parts.versions("projects.project.deleted")).hasSize(2);
        }
    }

    private static URL jarOf(Path jar, String type) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                Stream<Path> files = Files.list(catalogDirectory().resolve(type))) {
            out.putNextEntry(new JarEntry("herald/catalog/"));
            out.putNextEntry(new JarEntry("herald/catalog/" + type + "/"));
            for (Path schema : files.toList()) {
                out.putNextEntry(new JarEntry("herald/catalog/" + type + "/" + schema.getFileName()));
                out.write(Files.readAllBytes(schema));
            }
        }
        return jar.toUri().toURL();
    }

    private static Path catalogDirectory() {
        try {
            return Path.of(BuiltinCatalogTest.class.getClassLoader().getResource(BuiltinCatalog.RESOURCE).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode fatEventData() {
        return (ObjectNode) fatEventExample().get("data");
    }
}
