package dev.herald.cli;

import java.io.PrintWriter;
import java.util.List;

/** Plain-text tables for terminal output: columns sized to their content, long cells cut with an ellipsis. */
final class Tables {

    private static final int MAX_WIDTH = 48;

    private Tables() {
    }

    static void print(PrintWriter out, String[] headers, List<String[]> rows) {
        int[] widths = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            widths[c] = headers[c].length();
            for (String[] row : rows) {
                widths[c] = Math.min(MAX_WIDTH, Math.max(widths[c], row[c].length()));
            }
        }
        line(out, headers, widths);
        for (String[] row : rows) {
            line(out, row, widths);
        }
    }

    private static void line(PrintWriter out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String cell = cells[c].length() > widths[c] ? cells[c].substring(0, widths[c] - 1) + "…" : cells[c];
            line.append(cell);
            if (c < cells.length - 1) {
                line.append(" ".repeat(widths[c] - cell.length() + 2));
            }
        }
        out.println(line.toString().stripTrailing());
    }
}
