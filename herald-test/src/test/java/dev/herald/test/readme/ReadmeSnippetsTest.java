package dev.herald.test.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet of README-testing.md is code of this package, line for line (indentation and blank
 * lines aside), so the snippets compile and their tests run. Edit both together.
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of("README-testing.md");
    private static final Path SOURCES = Path.of("src/test/java/dev/herald/test/readme");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaSnippetIsCodeThatRuns() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.add(normalized(Files.readString(file)));
            }
        }
        Matcher blocks = JAVA_BLOCK.matcher(Files.readString(README));
        int count = 0;
        while (blocks.find()) {
            List<String> snippet = normalized(blocks.group(1));
            assertThat(sources).as("a source file of %s holding the README snippet:%n%s", SOURCES, blocks.group(1))
                    .anyMatch(source -> Collections.indexOfSubList(source, snippet) >= 0);
            count++;
        }
        assertThat(count).as("Java snippets in the README").isGreaterThanOrEqualTo(8);
    }

    private static List<String> normalized(String code) {
        return code.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
