package dev.herald.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.event.JsonEvents;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Exercises every snippet of the README and of {@code docs/*.md}, so the docs cannot rot:
 * <ul>
 *   <li>{@code java} blocks compile (as method bodies, with the variables {@link JavaSnippets} provides);</li>
 *   <li>{@code json} blocks parse, and those that are events are valid Herald events;</li>
 *   <li>{@code console} blocks run: each {@code $ herald …} (or {@code $ bin/herald …}) line runs the CLI in
 *       this JVM, must exit 0 (or the code a trailing {@code # exit N} names), and must print the lines shown
 *       under it, in that order (other lines may come between them; an ellipsis, …, stands for text that
 *       differs from run to run).</li>
 * </ul>
 * Relative paths in commands resolve against the repository root, where a reader runs them. Commands that
 * talk to a server ({@code publish}, {@code events}, {@code tokens}, …) run against one {@link DocsServer}
 * started for the docs, in the order the documents show them.
 */
class DocSnippetsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.isDirectory(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static List<Path> documents() throws IOException {
        Path root = repositoryRoot();
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    @TestFactory
    Stream<DynamicTest> javaSnippetsCompile() throws IOException {
        List<Snippet> snippets = snippets("java");
        assertThat(snippets).as("java snippets found").isNotEmpty();
        return snippets.stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
            List<String> errors = JavaSnippets.compile(s);
            if (!errors.isEmpty()) {
                fail(s.name() + " does not compile:\n" + String.join("\n", errors) + "\n---\n" + s.text());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> jsonSnippetsParseAndEventsAreValid() throws IOException {
        EventValidator validator = new EventValidator(dev.herald.event.EnvelopeRules.defaults(),
                SchemaRegistry.builtinCatalog());
        return snippets("json").stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
            JsonNode json = MAPPER.readTree(s.text());
            if (json.has("specversion")) {
                CloudEvent event = new JsonEvents().readEvent(s.text().getBytes(StandardCharsets.UTF_8));
                assertThat(validator.check(event)).as(s.name()).isEmpty();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> consoleCommandsRunAndPrintWhatTheDocsShow() throws IOException {
        Path root = repositoryRoot();
        List<DynamicTest> tests = new ArrayList<>();
        for (Snippet snippet : snippets("console")) {
            for (ConsoleCommand command : ConsoleCommand.parse(snippet)) {
                tests.add(DynamicTest.dynamicTest(snippet.name() + ": " + command.line(), () -> {
                    List<String> arguments = new ArrayList<>(command.arguments(root));
                    if (command.isRemote()) {
                        arguments.addAll(DocsServer.connectionOptions());
                    }
                    CliRun result = CliRun.of(arguments);
                    assertThat(result.exitCode()).as("exit code of `%s`\nout:\n%s\nerr:\n%s", command.line(),
                            result.out(), result.err()).isEqualTo(command.expectedExit());
                    assertThat(containsInOrder(result.lines(), command.expectedOutput()))
                            .as("`%s` printed\n%s\nbut the docs show\n%s", command.line(),
                                    String.join("\n", result.lines()), String.join("\n", command.expectedOutput()))
                            .isTrue();
                }));
            }
        }
        assertThat(tests).as("console commands found").isNotEmpty();
        return tests.stream();
    }

    private static boolean containsInOrder(List<String> actual, List<String> expected) {
        int next = 0;
        for (String line : actual) {
            if (next < expected.size() && sameLine(line, expected.get(next))) {
                next++;
            }
        }
        return next == expected.size();
    }

    /** Equal lines; an ellipsis (…) in the docs stands for text that differs from run to run (ids, secrets). */
    private static boolean sameLine(String actual, String shown) {
        String expected = shown.strip();
        if (!expected.contains("…")) {
            return actual.strip().equals(expected);
        }
        String pattern = java.util.Arrays.stream(expected.split("…", -1))
                .map(java.util.regex.Pattern::quote).collect(java.util.stream.Collectors.joining(".*"));
        return actual.strip().matches(pattern);
    }

    private static List<Snippet> snippets(String language) throws IOException {
        List<Snippet> all = new ArrayList<>();
        Path root = repositoryRoot();
        for (Path document : documents()) {
            all.addAll(Snippet.read(root.relativize(document).toString(), Files.readAllLines(document), language));
        }
        return all;
    }
}
