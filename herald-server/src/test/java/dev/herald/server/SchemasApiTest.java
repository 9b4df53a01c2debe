package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventBuilder;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /v1/schemas: listing, fetching what dataschema URIs name, registering versions, refusing incompatible ones. */
class SchemasApiTest {

    @TempDir
    Path dir;

    static final String V1 = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["order_id"],
             "properties": {"order_id": {"type": "integer"}, "state": {"enum": ["new", "paid", "shipped"]}}}""";
    static final String V2_COMPATIBLE = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["order_id"],
             "properties": {"order_id": {"type": "integer"}, "state": {"enum": ["new", "paid", "shipped", "lost"]},
                            "note": {"type": "string"}}}""";
    static final String V3_INCOMPATIBLE = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["order_id", "customer"],
             "properties": {"order_id": {"type": "string"}, "state": {"enum": ["new", "paid"]},
                            "customer": {"type": "string"}}}""";

    private static Harness.Response register(Harness h, String type, String schema) {
        return h.send("POST", "/v1/schemas/" + type, h.adminToken, "application/json",
                schema.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void listsTypesAndServesEachVersionAtItsDataschemaUri() throws Exception {
        try (Harness h = Harness.start(dir)) {
            JsonNode list = h.get("/v1/schemas", null).json();
            assertThat(list.get("types")).extracting(t -> t.get("type").asText())
                    .contains("ci.pipeline.created", "vulnerabilities.new_finding", "projects.project.deleted");

            CloudEvent event = EventBuilder.create(h.server.store().schemas()).type("ci.pipeline.created")
                    .source("/s").data(Map.of("pipeline_id", 1)).build();
            URI dataschema = event.getDataSchema();
            assertThat(dataschema.toString()).isEqualTo(h.base + "v1/schemas/ci.pipeline.created/v1");
            assertThat(h.structured(h.adminToken, event).status()).isEqualTo(202);

            Harness.Response schema = h.get(dataschema.getPath(), null);
            assertThat(schema.status()).isEqualTo(200);
            assertThat(schema.header("Content-Type")).startsWith("application/schema+json");
            assertThat(schema.header("Cache-Control")).contains("immutable");
            assertThat(schema.json().get("required").get(0).asText()).isEqualTo("pipeline_id");

            JsonNode type = h.get("/v1/schemas/projects.project.deleted", null).json();
            assertThat(type.get("latest").asInt()).isEqualTo(2);
            assertThat(h.get("/v1/schemas/projects.project.deleted/v3", null).status()).isEqualTo(404);
            assertThat(h.get("/v1/schemas/no.such.type", null).status()).isEqualTo(404);
        }
    }

    @Test
    void registersCompatibleVersionsAndRefusesIncompatibleOnesWithEveryReason() throws Exception {
        try (Harness h = Harness.start(dir)) {
            Harness.Response v1 = register(h, "shop.order.created", V1);
            assertThat(v1.status()).as(v1.toString()).isEqualTo(201);
            assertThat(v1.json().get("uri").asText()).isEqualTo(h.base + "v1/schemas/shop.order.created/v1");
            assertThat(v1.header("Location")).endsWith("/v1/schemas/shop.order.created/v1");

            assertThat(register(h, "shop.order.created", V1).status()).as("identical: unchanged").isEqualTo(200);
            assertThat(register(h, "shop.order.created", V2_COMPATIBLE).status()).isEqualTo(201);

            Harness.Response refused = register(h, "shop.order.created", V3_INCOMPATIBLE);
            assertThat(refused.status()).isEqualTo(409);
            JsonNode reasons = refused.json().get("violations");
            assertThat(reasons.size()).isGreaterThanOrEqualTo(3);
            assertThat(refused.body()).contains("/properties/order_id", "customer", "lost");

            Harness.Response forced = h.send("POST", "/v1/schemas/shop.order.created?compatibility=NONE",
                    h.adminToken, "application/json", V3_INCOMPATIBLE.getBytes(StandardCharsets.UTF_8));
            assertThat(forced.status()).isEqualTo(201);
            assertThat(forced.json().get("version").asInt()).isEqualTo(3);

            CloudEvent order = EventBuilder.create(h.server.store().schemas()).type("shop.order.created").source("/shop")
                    .data(Map.of("order_id", "A-1", "customer", "c")).build();
            assertThat(h.structured(h.adminToken, order).status()).isEqualTo(202);
        }
        try (Harness restarted = Harness.start(dir)) {
            assertThat(restarted.get("/v1/schemas/shop.order.created", null).json().get("latest").asInt()).isEqualTo(3);
        }
    }

    @Test
    void invalidSchemasAndTypeNamesAre400() throws Exception {
        try (Harness h = Harness.start(dir)) {
            assertThat(register(h, "shop.bad", "{\"type\": 12}").status()).isEqualTo(400);
            assertThat(register(h, "shop.bad", "[1,2]").status()).isEqualTo(400);
            assertThat(register(h, "shop.bad", "{not json").status()).isEqualTo(400);
            assertThat(register(h, "bad%20name", V1).status()).isEqualTo(400);
        }
    }

    @Test
    void theShippedCatalogIsAddedForTypesTheStateLacksAndLocalVersionsKept() throws Exception {
        try (Harness h = Harness.start(dir, Map.of("schemas.builtin", "false"), Harness.FIXED_ADMIN)) {
            assertThat(h.get("/v1/schemas", null).json().get("types")).isEmpty();
        }
        try (Harness h = Harness.start(dir, Map.of(), Harness.FIXED_ADMIN)) {
            assertThat(h.get("/v1/schemas/ci.pipeline.created", null).json().get("latest").asInt()).isEqualTo(1);
            assertThat(register(h, "ci.pipeline.created", """
                    {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                     "required": ["pipeline_id"], "properties": {"pipeline_id": {"type": "integer"},
                     "ref": {"type": "string"}}}""").status()).isEqualTo(201);
        }
        try (Harness h = Harness.start(dir)) {
            assertThat(h.get("/v1/schemas/ci.pipeline.created", null).json().get("latest").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aSchemaDirectoryOfAnEarlierReleaseIsImportedOnceThenNoLongerRead() throws Exception {
        Path schemas = dir.resolve("schemas");
        Files.createDirectories(schemas.resolve("shop.order.created"));
        Files.writeString(schemas.resolve("shop.order.created/v1.json"), V1);
        Files.writeString(schemas.resolve("shop.order.created/v2.json"), V2_COMPATIBLE);
        try (Harness h = Harness.start(dir)) {
            assertThat(h.get("/v1/schemas/shop.order.created", null).json().get("latest").asInt()).isEqualTo(2);
            assertThat(h.get("/v1/schemas/ci.pipeline.created", null).status()).as("shipped ones too").isEqualTo(200);
            assertThat(register(h, "shop.order.created", V3_INCOMPATIBLE).status())
                    .as("imported versions are checked against like any other").isEqualTo(409);
        }
        assertThat(Files.readString(schemas.resolve(SchemaCatalog.IMPORTED_MARKER))).contains("no longer reads");

        Files.writeString(schemas.resolve("shop.order.created/v3.json"), V3_INCOMPATIBLE);
        try (Harness h = Harness.start(dir, Map.of(), Harness.FIXED_ADMIN)) {
            assertThat(h.get("/v1/schemas/shop.order.created", null).json().get("latest").asInt())
                    .as("a file added after the import is not read").isEqualTo(2);
        }
    }
}
