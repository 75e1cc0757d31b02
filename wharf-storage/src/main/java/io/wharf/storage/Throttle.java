package io.wharf.storage;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds a reader to a number of bytes per second, so a background check of every file never
 * competes with the broker's own reads and writes for the disk. Sleeps its caller; use it on a
 * thread of its own, never on a writer or an event loop.
 *
 * <p>Not thread-safe: one per reading thread.
 */
public final class Throttle {

    /** No limit at all. */
    public static Throttle unlimited() {
        return new Throttle(0);
    }

    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long bytesPerSecond;
    private final long started = System.nanoTime();
    private long bytes;
    private volatile boolean cancelled;

    /** @param bytesPerSecond the rate to hold to; 0 for no limit */
    public Throttle(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a rate cannot be negative, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Counts {@code n} bytes read and waits until reading them keeps to the rate.
     *
     * @throws CancellationException once {@link #cancel()} was called, to end the reading early
     */
    public void acquire(long n) {
        bytes += n;
        long due = bytesPerSecond == 0 ? 0 : started + (long) (bytes * 1e9 / bytesPerSecond);
        while (true) {
            if (cancelled) {
                throw new CancellationException("the read was cancelled");
            }
            long wait = due - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            // Short sleeps, so a cancel takes effect soon; never an interrupt, which would close
            // the channel the caller reads (FileChannel is interruptible).
            LockSupport.parkNanos(Math.min(wait, MAX_SLEEP_NANOS));
        }
    }

    /** Ends the reading: the next {@link #acquire} throws. Any thread may call it. */
    public void cancel() {
        cancelled = true;
    }

    /** Bytes counted so far. */
    public long bytes() {
        return bytes;
    }
}
