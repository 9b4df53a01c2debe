package dev.herald.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * A fenced code block of a Markdown document.
 *
 * @param name where it is: {@code docs/architecture.md:57}
 * @param text its content
 */
record Snippet(String name, String text) {

    /** The blocks fenced as {@code ```language} in a document's lines. */
    static List<Snippet> read(String document, List<String> lines, String language) {
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("```" + language)) {
                int start = i + 1;
                int end = start;
                while (!lines.get(end).strip().equals("```")) {
                    end++;
                }
                snippets.add(new Snippet(document + ":" + start, String.join("\n", lines.subList(start, end))));
                i = end;
            }
        }
        return snippets;
    }
}
