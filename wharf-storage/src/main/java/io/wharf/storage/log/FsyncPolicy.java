package io.wharf.storage.log;

import java.time.Duration;
import java.util.Locale;

/**
 * When a log forces its writes to disk, and so when an append counts as done.
 *
 * <ul>
 *   <li>{@code always}: an append completes once an fsync covering it has returned. Concurrent
 *       appends share one fsync (group commit), so this stays fast under load.</li>
 *   <li>{@code interval}: an append completes once written to the operating system; the log is
 *       forced every interval, so a machine crash loses at most that much. A process crash loses
 *       nothing.</li>
 *   <li>{@code never}: an append completes once written to the operating system, which decides
 *       when to write it out.</li>
 * </ul>
 *
 * @param mode       the policy
 * @param intervalMs the flush interval for {@link Mode#INTERVAL}, otherwise 0
 */
public record FsyncPolicy(Mode mode, long intervalMs) {

    public enum Mode {
        ALWAYS, INTERVAL, NEVER
    }

    public static final FsyncPolicy ALWAYS = new FsyncPolicy(Mode.ALWAYS, 0);
    public static final FsyncPolicy NEVER = new FsyncPolicy(Mode.NEVER, 0);

    public FsyncPolicy {
        if (mode == Mode.INTERVAL && intervalMs <= 0) {
            throw new IllegalArgumentException("an fsync interval must be positive, got " + intervalMs + " ms");
        }
        if (mode != Mode.INTERVAL && intervalMs != 0) {
            throw new IllegalArgumentException("only the interval policy takes an interval");
        }
    }

    public static FsyncPolicy interval(Duration every) {
        return new FsyncPolicy(Mode.INTERVAL, every.toMillis());
    }

    /**
     * Parses {@code always}, {@code never}, or an interval in milliseconds ({@code 100} or
     * {@code 100ms}).
     *
     * @throws IllegalArgumentException naming what is accepted
     */
    public static FsyncPolicy parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "always":
                return ALWAYS;
            case "never":
                return NEVER;
            default:
                String digits = t.endsWith("ms") ? t.substring(0, t.length() - 2).trim() : t;
                try {
                    long ms = Long.parseLong(digits);
                    if (ms > 0) {
                        return new FsyncPolicy(Mode.INTERVAL, ms);
                    }
                } catch (NumberFormatException ignored) {
                    // fall through to the error naming the accepted forms
                }
                throw new IllegalArgumentException("'" + text
                        + "' is not an fsync policy: use always, never, or an interval in milliseconds such as 100ms");
        }
    }

    @Override
    public String toString() {
        return mode == Mode.INTERVAL ? intervalMs + "ms" : mode.name().toLowerCase(Locale.ROOT);
    }
}
