package dev.herald.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code $ herald …} line of a console block with the output shown under it.
 *
 * @param line           the command as written, without the prompt
 * @param words          its words after {@code herald}
 * @param expectedExit   0, or what a trailing {@code # exit N} says
 * @param expectedOutput the lines shown under it
 */
record ConsoleCommand(String line, List<String> words, int expectedExit, List<String> expectedOutput) {

    private static final Pattern COMMAND = Pattern.compile("^\\$ (?:bin/)?herald\\s+(.*?)\\s*(?:#\\s*exit\\s+(\\d+).*|#.*)?$");

    /** Every herald command of a console block; other prompts are not Herald's to run. */
    static List<ConsoleCommand> parse(Snippet snippet) {
        List<ConsoleCommand> commands = new ArrayList<>();
        String[] lines = snippet.text().split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher matcher = COMMAND.matcher(lines[i]);
            if (!matcher.matches()) {
                continue;
            }
            List<String> output = new ArrayList<>();
            for (int j = i + 1; j < lines.length && !lines[j].startsWith("$ "); j++) {
                output.add(lines[j]);
            }
            int exit = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
            commands.add(new ConsoleCommand(lines[i].substring(2).strip(),
                    Arrays.asList(matcher.group(1).split("\\s+")), exit, output));
        }
        return commands;
    }

    /** The arguments, with relative paths that exist under the repository root made absolute. */
    List<String> arguments(Path root) {
        return words.stream().map(word -> {
            if (word.startsWith("-") || word.contains("://")) {
                return word;
            }
            Path resolved = root.resolve(word).normalize();
            return Files.exists(resolved) ? resolved.toString() : word;
        }).toList();
    }
}
