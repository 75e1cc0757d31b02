package io.wharf.server.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The progress line of a long {@code wharf publish}, {@code backup} or {@code restore}: at most one line per interval on stderr, and
 * none at all for an input that takes less than one interval. Off unless stderr is a terminal or
 * {@code --progress} asks for it, so that logs of scripts stay clean.
 */
final class Progress {

    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final PrintWriter err;
    private final boolean enabled;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final long startNanos;
    private long lastNanos;
    private long lastCount;

    Progress(PrintWriter err, boolean enabled, LongSupplier nanoTime, Duration interval) {
        this.err = err;
        this.enabled = enabled;
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
        this.startNanos = nanoTime.getAsLong();
        this.lastNanos = startNanos;
    }

    /** Called after each message; prints when an interval has passed since the last line. */
    void update(long published, long routed) {
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        long elapsed = now - lastNanos;
        if (elapsed < intervalNanos) {
            return;
        }
        double rate = (published - lastCount) * 1e9 / elapsed;
        print(now, "published " + published + " (" + routed + " routed), " + Units.rate(rate));
        lastCount = published;
    }

    /** Prints how many of {@code total} bytes are done when an interval has passed since the last line. */
    void bytes(String what, long done, long total) {
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - lastNanos < intervalNanos) {
            return;
        }
        print(now, what + " " + Units.bytes(done) + " of " + Units.bytes(total)
                + (total > 0 ? " (" + done * 100 / total + "%)" : ""));
    }

    private void print(long now, String line) {
        err.println(line + ", " + Units.duration((now - startNanos) / 1_000_000) + " elapsed");
        err.flush();
        lastNanos = now;
    }
}
