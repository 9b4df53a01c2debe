package dev.herald.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            commands.add(new ConsoleCommand(lines[i].substring(2).strip(), words(matcher.group(1)), exit, output));
        }
        return commands;
    }

    /** Splits a command line into words the way a POSIX shell does for quotes: '…' and "…" group words. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Whether the command talks to a server ({@code publish}, {@code events}, {@code tokens}, …). */
    boolean isRemote() {
        return !words.isEmpty() && REMOTE.contains(words.getFirst());
    }

    private static final java.util.Set<String> REMOTE =
            java.util.Set.of("publish", "events", "tokens", "subscriptions", "dead-letters", "replay", "tail");

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
