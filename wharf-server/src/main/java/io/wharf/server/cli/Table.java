package io.wharf.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rows printed in aligned columns under a header row, for people: text on the left, numbers on the
 * right, two spaces between columns and no trailing blanks. Scripts use {@code --json} instead.
 */
final class Table {

    private static final String GAP = "  ";

    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> rightAligned = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();
    private boolean header = true;

    /** Adds a column of text, aligned left. */
    Table left(String title) {
        return column(title, false);
    }

    /** Adds a column of numbers, aligned right. */
    Table right(String title) {
        return column(title, true);
    }

    /** Prints no header row: for key and value pairs, where the keys say what each row is. */
    Table withoutHeader() {
        header = false;
        return this;
    }

    private Table column(String title, boolean right) {
        if (!rows.isEmpty()) {
            throw new IllegalStateException("columns come before rows");
        }
        headers.add(title);
        rightAligned.add(right);
        return this;
    }

    /** Adds a row, one value per column; {@code null} prints as nothing. */
    Table row(Object... values) {
        if (values.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + values.length + " values in a table of " + headers.size() + " columns");
        }
        String[] cells = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            cells[i] = Objects.toString(values[i], "");
        }
        rows.add(cells);
        return this;
    }

    int size() {
        return rows.size();
    }

    void print(PrintWriter out) {
        int[] widths = new int[headers.size()];
        List<String[]> lines = new ArrayList<>(rows.size() + 1);
        if (header) {
            lines.add(headers.toArray(String[]::new));
        }
        lines.addAll(rows);
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : lines) {
            out.println(format(line, widths));
        }
        out.flush();
    }

    private String format(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(GAP);
            }
            String pad = " ".repeat(widths[i] - cells[i].length());
            if (rightAligned.get(i)) {
                line.append(pad).append(cells[i]);
            } else {
                line.append(cells[i]).append(pad);
            }
        }
        return line.toString().stripTrailing();
    }
}
