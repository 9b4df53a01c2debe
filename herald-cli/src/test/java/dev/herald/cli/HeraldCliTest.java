package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HeraldCliTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run herald(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Herald.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static CloudEvent pipelineCreated(Object data) {
        return EventBuilder.create(SchemaRegistry.builtinCatalog()).type("ci.pipeline.created")
                .source("https://gitlab.example.com/group/app").data(data).build();
    }

    private static Object validPipelineData() {
        return SchemaRegistry.builtinCatalog().latest("ci.pipeline.created").orElseThrow().examples().getFirst();
    }

    private Path write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    @Test
    void validEventExitsZeroWithOneLineSummary() throws IOException {
        CloudEvent event = pipelineCreated(validPipelineData());

        Run run = herald("validate", write("e.json", JsonEvents.write(event)).toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("valid: ci.pipeline.created " + event.getId() + System.lineSeparator());
        assertThat(run.err()).isEmpty();
    }

    @Test
    void validBatchIsSummarised() throws IOException {
        byte[] batch = JsonEvents.writeBatch(List.of(pipelineCreated(validPipelineData()),
                pipelineCreated(validPipelineData())));

        Run run = herald("validate", write("b.json", batch).toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("valid: 2 events of 1 type");
    }

    @Test
    void schemaViolationsExitTwoWithOneLinePerViolation() throws IOException {
        CloudEvent event = pipelineCreated(Map.of("unexpected", true));

        Run run = herald("validate", write("e.json", JsonEvents.write(event)).toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("data"));
    }

    @Test
    void batchViolationsNameTheEventIndex() throws IOException {
        byte[] batch = JsonEvents.writeBatch(List.of(pipelineCreated(validPipelineData()),
                pipelineCreated(Map.of("unexpected", true))));

        Run run = herald("validate", write("b.json", batch).toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().lines()).allSatisfy(line -> assertThat(line).startsWith("[1].data"));
    }

    @Test
    void envelopeViolationsExitTwo() throws IOException {
        Run run = herald("validate", write("e.json", "{\"specversion\":\"1.0\",\"type\":\"ci.pipeline.created\"}"
                .getBytes(StandardCharsets.UTF_8)).toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().lines()).containsExactlyInAnyOrder("id: is required", "source: is required");
    }

    @Test
    void unknownTypeIsRefused() throws IOException {
        CloudEvent event = EventBuilder.create().type("nobody.declared.this").source("/x").data(Map.of()).build();

        Run run = herald("validate", write("e.json", JsonEvents.write(event)).toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("type: ");
    }

    @Test
    void missingFileAndBadOptionsAreBadInput() {
        assertThat(herald("validate", dir.resolve("absent.json").toString()).exit()).isEqualTo(2);
        assertThat(herald("validate", "--no-such-option", "x").exit()).isEqualTo(2);
        assertThat(herald("validate").exit()).isEqualTo(2);
    }

    @Test
    void schemasListShowsEveryCatalogType() {
        Run run = herald("schemas", "list");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("vulnerabilities.new_finding", "ci.pipeline.created");
    }

    @Test
    void schemasShowPrintsTheSchemaOrRefusesAnUnknownType() {
        Run shown = herald("schemas", "show", "vulnerabilities.new_finding");
        Run unknown = herald("schemas", "show", "no.such.type");

        assertThat(shown.exit()).isZero();
        assertThat(shown.out()).contains("\"report_type\"");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no.such.type");
    }

    @Test
    void schemasCheckPassesCompatibleVersionsAndRefusesBreakingOnes() throws IOException {
        Path schemas = dir.resolve("schemas");
        Files.createDirectories(schemas.resolve("orders.placed"));
        Files.writeString(schemas.resolve("orders.placed/v1.json"), """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "properties":{"id":{"type":"integer"},"state":{"enum":["new","paid","shipped"]}},"required":["id"]}""");
        Files.writeString(schemas.resolve("orders.placed/v2.json"), """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "properties":{"id":{"type":"integer"},"state":{"enum":["new","paid","shipped"]},
                               "note":{"type":"string"}},"required":["id"]}""");

        Run compatible = herald("schemas", "check", schemas.toString());
        assertThat(compatible.exit()).isZero();
        assertThat(compatible.out()).contains("1 version pairs checked");

        Files.writeString(schemas.resolve("orders.placed/v3.json"), """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "properties":{"id":{"type":"integer"},"state":{"enum":["new","paid"]},
                               "note":{"type":"string"},"total":{"type":"number"}},"required":["id","total"]}""");
        Run breaking = herald("schemas", "check", schemas.toString());

        assertThat(breaking.exit()).isEqualTo(2);
        assertThat(breaking.err().lines()).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(line -> assertThat(line).startsWith("orders.placed v2 -> v3: "))
                .anySatisfy(line -> assertThat(line).contains("total"))
                .anySatisfy(line -> assertThat(line).contains("shipped"));
    }

    @Test
    void schemasCheckOfABrokenDirectoryNamesTheFile() throws IOException {
        Path schemas = dir.resolve("broken");
        Files.createDirectories(schemas.resolve("a.b"));
        Files.writeString(schemas.resolve("a.b/v1.json"), "{not json");

        Run run = herald("schemas", "check", schemas.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("v1.json");
    }
}
