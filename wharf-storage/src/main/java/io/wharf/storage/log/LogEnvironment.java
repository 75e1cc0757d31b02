package io.wharf.storage.log;

import io.wharf.storage.concurrent.NamedThreadFactory;
import io.wharf.storage.file.FileChannelFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The threads, clock and file access that many logs share: a small pool of writer threads
 * (each log drains its appends on one of them at a time), a scheduler for periodic flushes and
 * retention, and a thread that zero-fills segment space ahead of the writers.
 *
 * <p>Close it after every log that uses it; closing stops the threads and waits for them.
 */
public final class LogEnvironment implements AutoCloseable {

    private final ExecutorService writers;
    private final ExecutorService preallocator;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final FileChannelFactory channels;
    private volatile LongConsumer fsyncListener = nanos -> { };
    private volatile Consumer<LogDamage> damageListener = d -> { };

    private LogEnvironment(Builder b) {
        this.writers = Executors.newFixedThreadPool(b.writerThreads, new NamedThreadFactory("log-writer", true));
        this.preallocator = Executors.newSingleThreadExecutor(new NamedThreadFactory("log-preallocator", true));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("log-scheduler", true));
        this.clock = b.clock;
        this.channels = b.channels;
    }

    public static Builder builder() {
        return new Builder();
    }

    ExecutorService writers() {
        return writers;
    }

    ExecutorService preallocator() {
        return preallocator;
    }

    /** Runs periodic storage work: flushes, retention, snapshots. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public Clock clock() {
        return clock;
    }

    FileChannelFactory channels() {
        return channels;
    }

    /** Tells {@code listener} how long each fsync of a log segment took, in nanoseconds; replaces any earlier listener. */
    public void onFsync(LongConsumer listener) {
        this.fsyncListener = listener;
    }

    void fsynced(long nanos) {
        fsyncListener.accept(nanos);
    }

    /** Tells {@code listener} of every damaged stretch a log fences off; replaces any earlier listener. */
    public void onDamage(Consumer<LogDamage> listener) {
        this.damageListener = listener;
    }

    void damaged(LogDamage damage) {
        damageListener.accept(damage);
    }

    @Override
    public void close() {
        List<ExecutorService> all = new ArrayList<>(List.of(scheduler, preallocator, writers));
        all.forEach(ExecutorService::shutdown);
        for (ExecutorService e : all) {
            try {
                if (!e.awaitTermination(30, TimeUnit.SECONDS)) {
                    e.shutdownNow();
                }
            } catch (InterruptedException ie) {
                e.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Options of a {@link LogEnvironment}. */
    public static final class Builder {
        private int writerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private Clock clock = Clock.systemUTC();
        private FileChannelFactory channels = FileChannelFactory.DEFAULT;

        public Builder writerThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("at least one writer thread is needed, got " + n);
            }
            this.writerThreads = n;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Where segment files are opened; tests pass channels that fail like a full disk. */
        public Builder channels(FileChannelFactory channels) {
            this.channels = channels;
            return this;
        }

        public LogEnvironment build() {
            return new LogEnvironment(this);
        }
    }
}
