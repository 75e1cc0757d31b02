package io.wharf.storage;

import java.util.concurrent.TimeUnit;

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

    private final long bytesPerSecond;
    private final long started = System.nanoTime();
    private long bytes;

    /** @param bytesPerSecond the rate to hold to; 0 for no limit */
    public Throttle(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a rate cannot be negative, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Counts {@code n} bytes read and waits until reading them keeps to the rate. */
    public void acquire(long n) {
        bytes += n;
        if (bytesPerSecond == 0) {
            return;
        }
        long due = started + (long) (bytes * 1e9 / bytesPerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Bytes counted so far. */
    public long bytes() {
        return bytes;
    }
}
