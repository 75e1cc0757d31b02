package io.wharf.server.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes, written as a plain number or with a unit: {@code 4096}, {@code 64KiB},
 * {@code 1GiB}, {@code 10MB}. Binary units (KiB, MiB, GiB, TiB) count in 1024s, decimal ones
 * (KB, MB, GB, TB) in 1000s.
 *
 * @param bytes the size in bytes
 */
public record ByteSize(long bytes) {

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*([kmgt]i?b|b)?");

    /** @throws IllegalArgumentException saying which forms are accepted */
    public static ByteSize parse(String text) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a number of bytes or a unit such as 64KiB or 1GiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "b" -> 1L;
            case "kb" -> 1_000L;
            case "kib" -> 1L << 10;
            case "mb" -> 1_000_000L;
            case "mib" -> 1L << 20;
            case "gb" -> 1_000_000_000L;
            case "gib" -> 1L << 30;
            case "tb" -> 1_000_000_000_000L;
            case "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit in '" + text + "'");
        };
        return new ByteSize(Math.multiplyExact(n, factor));
    }

    @Override
    public String toString() {
        for (String[] u : new String[][] {{"TiB", "40"}, {"GiB", "30"}, {"MiB", "20"}, {"KiB", "10"}}) {
            long f = 1L << Integer.parseInt(u[1]);
            if (bytes >= f && bytes % f == 0) {
                return (bytes / f) + u[0];
            }
        }
        return Long.toString(bytes);
    }
}
