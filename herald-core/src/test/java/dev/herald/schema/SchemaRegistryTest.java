package dev.herald.schema;

import static dev.herald.schema.TestSchemas.json;
import static dev.herald.schema.TestSchemas.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.Violation;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a catalog directory, looking versions up, validating data, and registering new versions. */
class SchemaRegistryTest {

    private static final String FINISHED = "ci.pipeline.finished";
    private static final String FINISHED_V1 = """
            {"type": "object", "required": ["pipeline_id"],
             "x-herald-aliases": ["https://gitlab.com/schemas/ci/pipeline_finished/v1.0"],
             "properties": {"pipeline_id": {"type": "integer"}, "status": {"type": "string"}}}""";
    private static final String FINISHED_V2 = """
            {"type": "object", "required": ["pipeline_id"],
             "properties": {"pipeline_id": {"type": "integer"}, "status": {"type": "string"},
                            "source": {"type": "string"}}}""";
    private static final String CREATED_V1 = """
            {"type": "object", "required": ["pipeline_id"], "properties": {"pipeline_id": {"type": "integer"}}}""";

    @TempDir
    Path dir;

    private void writeCatalog() {
        write(dir, FINISHED + "/v1.json", FINISHED_V1);
        write(dir, FINISHED + "/v2.json", FINISHED_V2);
        write(dir, "ci.pipeline.created/v1.json", CREATED_V1);
    }

    @Nested
    class Lookup {

        private SchemaRegistry registry;

        @BeforeEach
        void load() {
            writeCatalog();
            registry = SchemaRegistry.load(dir);
        }

        @Test
        void listsTypesInNameOrderAndVersionsOldestFirst() {
            assertThat(registry.types()).containsExactly("ci.pipeline.created", FINISHED);
            assertThat(registry.versions(FINISHED)).extracting(SchemaVersion::version).containsExactly(1, 2);
            assertThat(registry.latest(FINISHED)).map(SchemaVersion::version).contains(2);
            assertThat(registry.find(FINISHED, 1)).map(SchemaVersion::schema).contains(json(FINISHED_V1));
            assertThat(registry.find(FINISHED, 3)).isEmpty();
            assertThat(registry.versions("no.such.type")).isEmpty();
            assertThat(registry.latest("no.such.type")).isEmpty();
        }

        @Test
        void hostsEachVersionUnderTheBaseUri() {
            SchemaVersion v2 = registry.find(FINISHED, 2).orElseThrow();

            assertThat(v2.uri()).isEqualTo(URI.create("http://localhost:8080/v1/schemas/ci.pipeline.finished/v2"));
            assertThat(registry.byUri(v2.uri())).contains(v2);
            assertThat(registry.currentSchema(FINISHED)).contains(v2.uri());
            assertThat(registry.currentSchema("no.such.type")).isEmpty();
        }

        @Test
        void findsAVersionByItsAlias() {
            URI alias = URI.create("https://gitlab.com/schemas/ci/pipeline_finished/v1.0");

            assertThat(registry.byUri(alias)).map(SchemaVersion::version).contains(1);
            assertThat(registry.find(FINISHED, 1).orElseThrow().aliases()).containsExactly(alias);
            assertThat(registry.byUri(URI.create("https://example.com/unknown"))).isEmpty();
        }

        @Test
        void honoursAnotherBaseUri() {
            SchemaRegistry hosted = SchemaRegistry.load(dir,
                    SchemaRegistry.Options.defaults().withBaseUri(URI.create("https://herald.example.com/schemas/")));

            assertThat(hosted.latest(FINISHED).orElseThrow().uri())
                    .isEqualTo(URI.create("https://herald.example.com/schemas/ci.pipeline.finished/v2"));
            assertThatThrownBy(() -> SchemaRegistry.Options.defaults().withBaseUri(URI.create("https://x.example/no-slash")))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void versionsCannotBeChangedThroughWhatTheyHandOut() {
            SchemaVersion v1 = registry.find(FINISHED, 1).orElseThrow();
            ((ObjectNode) v1.schema()).put("type", "string");

            assertThat(registry.find(FINISHED, 1).orElseThrow().schema()).isEqualTo(json(FINISHED_V1));
            assertThat(registry.validate(FINISHED, v1.uri(), json("{'pipeline_id': 1}"))).isEmpty();
        }
    }

    @Nested
    class Validation {

        private SchemaRegistry registry;

        @BeforeEach
        void load() {
            writeCatalog();
            registry = SchemaRegistry.load(dir);
        }

        @Test
        void aTypeWithoutSchemaIsRefused() {
            assertThat(registry.validate("ci.job.started", null, json("{}")))
                    .containsExactly(new Violation("type", "no schema is registered for this type", "ci.job.started"));
        }

        @Test
        void aDataschemaOfAnotherTypeIsRefused() {
            URI created = registry.latest("ci.pipeline.created").orElseThrow().uri();

            assertThat(registry.validate(FINISHED, created, json("{'pipeline_id': 1}"))).containsExactly(new Violation(
                    "dataschema", "is neither a hosted schema nor an alias of a version of type " + FINISHED,
                    created.toString()));
        }

        @Test
        void anUnknownDataschemaIsRefused() {
            assertThat(registry.validate(FINISHED, URI.create("https://example.com/s.json"), json("{'pipeline_id': 1}")))
                    .extracting(Violation::where).containsExactly("dataschema");
        }

        @Test
        void validatesAgainstTheVersionTheDataschemaNames() {
            // additionalProperties is open in both, so use a field v2 types and v1 does not know.
            JsonNode data = json("{'pipeline_id': 1, 'source': 42}");

            assertThat(registry.validate(FINISHED, URI.create("https://gitlab.com/schemas/ci/pipeline_finished/v1.0"), data)).isEmpty();
            assertThat(registry.validate(FINISHED, registry.find(FINISHED, 1).orElseThrow().uri(), data)).isEmpty();
            assertThat(registry.validate(FINISHED, registry.find(FINISHED, 2).orElseThrow().uri(), data))
                    .containsExactly(new Violation("data/source", "type: must be string", "42"));
            assertThat(registry.validate(FINISHED, null, data)).as("latest by default")
                    .containsExactly(new Violation("data/source", "type: must be string", "42"));
        }

        @Test
        void eachRuleSaysWhatItsKeywordDemands() {
            write(dir, "rules.all/v1.json", """
                    {"type": "object", "additionalProperties": false,
                     "properties": {
                       "kind": {"const": "push"}, "ref": {"type": "string", "pattern": "^refs/"},
                       "name": {"type": "string", "minLength": 2, "maxLength": 3},
                       "count": {"type": "integer", "minimum": 0, "exclusiveMaximum": 10, "multipleOf": 2},
                       "tags": {"type": "array", "maxItems": 1, "uniqueItems": true},
                       "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                       "a/b": {"type": ["string", "null"]}}}""");
            SchemaRegistry rules = SchemaRegistry.load(dir);

            assertThat(rules.validate("rules.all", null, json("""
                    {"kind": "tag_push", "ref": "main", "name": "abcd", "count": 11, "tags": [1, 1],
                     "id": 1.5, "a/b": 3, "extra": {"x": 1}}"""))).containsExactlyInAnyOrder(
                    new Violation("data/kind", "const: must be push", "\"tag_push\""),
                    new Violation("data/ref", "pattern: must match ^refs/", "\"main\""),
                    new Violation("data/name", "maxLength: must be at most 3 characters long", "\"abcd\""),
                    new Violation("data/count", "exclusiveMaximum: must be < 10", "11"),
                    new Violation("data/count", "multipleOf: must be a multiple of 2", "11"),
                    new Violation("data/tags", "maxItems: must have at most 1 items", "[1,1]"),
                    new Violation("data/tags", "uniqueItems: items must be unique", "[1,1]"),
                    new Violation("data/id", "oneOf: must match exactly one of 2 alternatives", "1.5"),
                    new Violation("data/a~1b", "type: must be one of [string, null]", "3"),
                    new Violation("data/extra", "additionalProperties: property 'extra' is not allowed", "{\"x\":1}"));
            assertThat(rules.validate("rules.all", null, json("{'name': 'a', 'count': -2}"))).containsExactlyInAnyOrder(
                    new Violation("data/name", "minLength: must be at least 2 characters long", "\"a\""),
                    new Violation("data/count", "minimum: must be >= 0", "-2"));
        }

        @Test
        void missingDataIsValidatedAsNull() {
            assertThat(registry.validate(FINISHED, null, null))
                    .containsExactly(new Violation("data", "type: must be object", "null"));
        }
    }

    @Nested
    class Layout {

        @Test
        void anEmptyDirectoryIsAnEmptyCatalog() {
            assertThat(SchemaRegistry.load(dir).types()).isEmpty();
        }

        @Test
        void hiddenEntriesAreSkipped() {
            write(dir, ".DS_Store", "junk");
            write(dir, "ci.pipeline.created/v1.json", CREATED_V1);
            write(dir, "ci.pipeline.created/.v2.json12345.tmp", "{");

            assertThat(SchemaRegistry.load(dir).versions("ci.pipeline.created")).hasSize(1);
        }

        @Test
        void aGapInVersionsNamesTheMissingFile() {
            write(dir, "ci.pipeline.created/v1.json", CREATED_V1);
            write(dir, "ci.pipeline.created/v3.json", CREATED_V1);

            assertRefused(dir.resolve("ci.pipeline.created/v2.json"), "missing; versions must run from v1 without gaps");
        }

        @Test
        void versionsMustStartAtOne() {
            write(dir, "ci.pipeline.created/v2.json", CREATED_V1);

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"), "missing");
        }

        @Test
        void aBadFileNameIsNamed() {
            write(dir, "ci.pipeline.created/v1.json", CREATED_V1);
            write(dir, "ci.pipeline.created/v02.json", CREATED_V1);

            assertRefused(dir.resolve("ci.pipeline.created/v02.json"), "not a schema version file");
        }

        @Test
        void aBadTypeDirectoryNameIsNamed() {
            write(dir, "ci pipeline/v1.json", CREATED_V1);

            assertRefused(dir.resolve("ci pipeline"), "is not a valid event type name");
        }

        @Test
        void aFileAtTheTopIsNamed() {
            write(dir, "ci.pipeline.created.json", CREATED_V1);

            assertRefused(dir.resolve("ci.pipeline.created.json"), "unexpected file");
        }

        @Test
        void anEmptyTypeDirectoryIsNamed() throws IOException {
            Files.createDirectories(dir.resolve("ci.pipeline.created"));

            assertRefused(dir.resolve("ci.pipeline.created"), "holds no schema versions");
        }

        @Test
        void invalidJsonIsNamedWithItsPosition() {
            write(dir, "ci.pipeline.created/v1.json", "{\"type\": \"object\",\n \"required\": [\"a\",]}");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"), "invalid JSON: ", "at line 2");
        }

        @Test
        void aDuplicatedKeyIsRefused() {
            write(dir, "ci.pipeline.created/v1.json", "{\"type\": \"object\", \"type\": \"string\"}");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"), "invalid JSON: Duplicate field 'type'");
        }

        @Test
        void aSchemaThatIsNotAnObjectIsRefused() {
            write(dir, "ci.pipeline.created/v1.json", "true");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"), "a schema file must hold a JSON object");
        }

        @Test
        void anInvalidSchemaIsNamedWithTheMetaSchemaComplaint() {
            write(dir, "ci.pipeline.created/v1.json", "{\"type\": \"strin\", \"required\": \"pipeline_id\"}");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"),
                    "not a valid JSON Schema (https://json-schema.org/draft/2020-12/schema)", "/type", "/required");
        }

        @Test
        void anUnresolvableReferenceIsRefusedAtLoad() {
            write(dir, "ci.pipeline.created/v1.json", "{\"properties\": {\"a\": {\"$ref\": \"#/$defs/missing\"}}}");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"), "cannot compile the schema", "/$defs/missing cannot be resolved");
        }

        @Test
        void anUnknownDialectIsRefused() {
            write(dir, "ci.pipeline.created/v1.json", "{\"$schema\": \"https://example.com/my-meta\"}");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"), "unsupported $schema 'https://example.com/my-meta'");
        }

        @Test
        void malformedAliasesAreRefused() {
            write(dir, "ci.pipeline.created/v1.json", "{\"x-herald-aliases\": [\"relative/path\"]}");

            assertRefused(dir.resolve("ci.pipeline.created/v1.json"),
                    "x-herald-aliases must be an array of absolute URIs; \"relative/path\" is not one");
        }

        @Test
        void anAliasClaimedTwiceNamesBothFiles() {
            String claiming = "{\"x-herald-aliases\": [\"https://example.com/shared\"]}";
            write(dir, "a.one/v1.json", claiming);
            write(dir, "b.two/v1.json", claiming);

            assertRefused(dir.resolve("b.two/v1.json"), "URI https://example.com/shared already names a.one v1",
                    dir.resolve("a.one/v1.json").toString());
        }

        @Test
        void aMissingDirectoryIsRefused() {
            assertRefused(dir.resolve("absent"), dir.resolve("absent"), "not a directory");
        }

        private void assertRefused(Path source, String... messageParts) {
            assertRefused(dir, source, messageParts);
        }

        private static void assertRefused(Path catalog, Path source, String... messageParts) {
            SchemaCatalogException refused = catchThrowableOfType(SchemaCatalogException.class,
                    () -> SchemaRegistry.load(catalog));
            assertThat(refused).as("refused").isNotNull();
            assertThat(refused.source()).isEqualTo(source.toString());
            assertThat(refused.getMessage()).startsWith(source + ": ").contains(messageParts);
        }
    }

    @Nested
    class Dialects {

        /** Draft-07's tuple form of items; in 2020-12, items must be a single schema. */
        private static final String TUPLE = "{\"type\": \"array\", \"items\": [{\"type\": \"string\"}]}";

        @Test
        void filesWithoutSchemaAreReadInTheDefaultDialect() {
            write(dir, "a.tuple/v1.json", TUPLE);

            assertThatThrownBy(() -> SchemaRegistry.load(dir)).isInstanceOf(SchemaCatalogException.class)
                    .hasMessageContaining("not a valid JSON Schema (https://json-schema.org/draft/2020-12/schema)");
            SchemaRegistry draft7 = SchemaRegistry.load(dir,
                    SchemaRegistry.Options.defaults().withDefaultDialect(SchemaDialect.DRAFT_7));
            assertThat(draft7.validate("a.tuple", null, json("[1]")))
                    .containsExactly(new Violation("data/0", "type: must be string", "1"));
        }

        @Test
        void aFilesOwnSchemaKeywordWins() {
            write(dir, "a.tuple/v1.json", TUPLE.replace("{\"type\"",
                    "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\""));

            assertThat(SchemaRegistry.load(dir).validate("a.tuple", null, json("[1]")))
                    .containsExactly(new Violation("data/0", "type: must be string", "1"));
        }
    }

    @Nested
    class Registration {

        private SchemaRegistry registry;

        @BeforeEach
        void load() {
            write(dir, FINISHED + "/v1.json", FINISHED_V1);
            registry = SchemaRegistry.load(dir);
        }

        @Test
        void writesABackwardCompatibleVersionToTheDirectory() {
            SchemaVersion v2 = registry.register(FINISHED, json(FINISHED_V2), Compatibility.BACKWARD);

            assertThat(v2.version()).isEqualTo(2);
            assertThat(v2.uri()).isEqualTo(URI.create("http://localhost:8080/v1/schemas/ci.pipeline.finished/v2"));
            assertThat(registry.latest(FINISHED)).contains(v2);
            assertThat(TestSchemas.read(dir.resolve(FINISHED + "/v2.json"))).isEqualTo(json(FINISHED_V2));
            assertThat(SchemaRegistry.load(dir).latest(FINISHED)).contains(v2);
            assertThat(dir.resolve(FINISHED).toFile().list()).containsExactlyInAnyOrder("v1.json", "v2.json");
        }

        @Test
        void refusesAnIncompatibleVersionWithEveryReasonAndWritesNothing() {
            JsonNode narrowed = json("""
                    {"type": "object", "required": ["pipeline_id", "status"],
                     "properties": {"pipeline_id": {"type": "integer"}, "status": {"type": "string", "maxLength": 20}}}""");

            IncompatibleSchemaException refused = catchThrowableOfType(IncompatibleSchemaException.class,
                    () -> registry.register(FINISHED, narrowed, Compatibility.BACKWARD));

            assertThat(refused.type()).isEqualTo(FINISHED);
            assertThat(refused.reasons()).containsExactly(
                    new Incompatibility("", "new required field 'status'"),
                    new Incompatibility("/properties/status", "maxLength added (20)"));
            assertThat(refused).hasMessage("ci.pipeline.finished v2 is not BACKWARD compatible with v1: "
                    + "(root): new required field 'status'; /properties/status: maxLength added (20)");
            assertThat(registry.versions(FINISHED)).hasSize(1);
            assertThat(dir.resolve(FINISHED).toFile().list()).containsExactly("v1.json");
        }

        @Test
        void noneSkipsTheCheck() {
            JsonNode unrelated = json("{\"type\": \"string\"}");

            assertThat(registry.register(FINISHED, unrelated, Compatibility.NONE).version()).isEqualTo(2);
        }

        @Test
        void repeatingTheNewestSchemaChangesNothing() {
            SchemaVersion v1 = registry.latest(FINISHED).orElseThrow();

            assertThat(registry.register(FINISHED, json(FINISHED_V1), Compatibility.FULL)).isEqualTo(v1);
            assertThat(dir.resolve(FINISHED).toFile().list()).containsExactly("v1.json");
        }

        @Test
        void aNewTypeStartsAtVersionOne() {
            SchemaVersion v1 = registry.register("ci.pipeline.created", json(CREATED_V1), Compatibility.FULL);

            assertThat(v1.version()).isEqualTo(1);
            assertThat(registry.types()).containsExactly("ci.pipeline.created", FINISHED);
            assertThat(dir.resolve("ci.pipeline.created/v1.json")).exists();
        }

        @Test
        void refusesAnInvalidSchemaOrTypeName() {
            assertThatThrownBy(() -> registry.register(FINISHED, json("{\"type\": 5}"), Compatibility.NONE))
                    .isInstanceOf(SchemaCatalogException.class)
                    .hasMessageStartingWith(dir.resolve(FINISHED + "/v2.json") + ": not a valid JSON Schema");
            assertThatThrownBy(() -> registry.register("no spaces", json(CREATED_V1), Compatibility.NONE))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(dir.resolve(FINISHED).toFile().list()).containsExactly("v1.json");
        }

        @Test
        void refusesAnAliasAnotherVersionHolds() {
            JsonNode stealing = json(FINISHED_V2.replace("{\"type\": \"object\",",
                    "{\"type\": \"object\", \"x-herald-aliases\": [\"https://gitlab.com/schemas/ci/pipeline_finished/v1.0\"],"));

            assertThatThrownBy(() -> registry.register(FINISHED, stealing, Compatibility.BACKWARD))
                    .isInstanceOf(SchemaCatalogException.class).hasMessageContaining("already names ci.pipeline.finished v1");
            assertThat(dir.resolve(FINISHED).toFile().list()).containsExactly("v1.json");
        }

        @Test
        void readersNeverSeeAHalfAddedVersion() throws Exception {
            AtomicReference<String> inconsistency = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    SchemaVersion latest = registry.latest(FINISHED).orElseThrow();
                    if (registry.find(FINISHED, latest.version()).isEmpty() || registry.byUri(latest.uri()).isEmpty()
                            || !registry.validate(FINISHED, latest.uri(), json("{'pipeline_id': 1}")).isEmpty()) {
                        inconsistency.set("v" + latest.version());
                    }
                }
            });
            JsonNode schema = json(FINISHED_V1);
            for (int field = 0; field < 20; field++) {
                ((ObjectNode) schema.get("properties"))
                        .set("f" + field, json("{'type': 'string'}"));
                ((ObjectNode) schema).remove(SchemaVersion.ALIASES_KEYWORD);
                registry.register(FINISHED, schema, Compatibility.FULL);
            }
            done.set(true);
            reader.join();

            assertThat(inconsistency.get()).isNull();
            assertThat(registry.versions(FINISHED)).hasSize(21);
        }

        @Test
        void theBuiltinCatalogRegistersInMemoryOnly() {
            SchemaRegistry builtin = SchemaRegistry.builtinCatalog();
            JsonNode v2 = builtin.latest("ci.pipeline.created").orElseThrow().schema();
            ((ObjectNode) v2.get("properties"))
                    .set("source", json("{\"type\": \"string\"}"));

            assertThat(builtin.register("ci.pipeline.created", v2, Compatibility.FULL).version()).isEqualTo(2);
            assertThat(SchemaRegistry.builtinCatalog().versions("ci.pipeline.created")).hasSize(1);
        }
    }
}
