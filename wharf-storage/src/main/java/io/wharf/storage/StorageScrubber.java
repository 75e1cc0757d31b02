package io.wharf.storage;

import io.wharf.storage.concurrent.NamedThreadFactory;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogDamage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads every byte the broker keeps, in the background, to find damage before a client does:
 * every batch of every open log and of the stores' journals has its structure, offsets and CRC
 * checked again, and the stores' snapshots theirs. Damage found is fenced off and reported as a
 * read would report it. One pass at a time runs on a thread of its own, at a bounded rate, so
 * the broker's own disk work keeps priority.
 *
 * <p>Thread-safe.
 */
public final class StorageScrubber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageScrubber.class);

    private final Storage storage;
    private final long bytesPerSecond;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("scrub", true));
    private volatile Throttle current = Throttle.unlimited();
    private volatile boolean closed;

    /**
     * @param interval       time between the end of one scheduled pass and the start of the next; zero for none
     * @param bytesPerSecond how fast a pass reads; 0 for no limit
     */
    StorageScrubber(Storage storage, Duration interval, long bytesPerSecond) {
        this.storage = storage;
        this.bytesPerSecond = bytesPerSecond;
        if (!interval.isZero()) {
            long ms = interval.toMillis();
            thread.scheduleWithFixedDelay(this::scheduledPass, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs a pass now, after any pass already running, at the configured rate. */
    public CompletableFuture<ScrubReport> scrubNow() {
        CompletableFuture<ScrubReport> f = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(pass());
                } catch (IOException | RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException closed) {
            f.completeExceptionally(new StorageException("the storage is closing"));
        }
        return f;
    }

    private void scheduledPass() {
        try {
            ScrubReport r = pass();
            LOG.info("scrub: checked {} bytes of {} log(s) in {} ms; {} new damaged stretch(es), {} in all",
                    r.bytesChecked(), r.logsChecked(), r.millis(), r.found().size(), r.damage().size());
        } catch (CancellationException stopping) {
            LOG.debug("scrub: the pass stopped with the storage");
        } catch (IOException | RuntimeException e) {
            LOG.warn("scrub: the pass stopped: {}", e.toString());
        }
    }

    private ScrubReport pass() throws IOException {
        long started = System.nanoTime();
        Throttle throttle = new Throttle(bytesPerSecond);
        current = throttle;
        if (closed) {
            throttle.cancel();
        }
        List<LogDamage> before = storage.damage();
        int logs = 0;
        for (Log log : storage.logs().open()) {
            log.scrub(throttle);
            logs++;
        }
        List<String> problems = new ArrayList<>(storage.cursors().scrub(throttle));
        problems.addAll(storage.metadata().scrub(throttle));
        List<LogDamage> after = storage.damage();
        List<LogDamage> found = after.stream().filter(d -> !before.contains(d)).toList();
        return new ScrubReport(throttle.bytes(), logs + 2, found, after, problems,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Ends a pass under way at its next batch and stops the thread. Interrupts nothing: an
     * interrupt would close the file channel being read, which the log still uses.
     */
    @Override
    public void close() {
        closed = true;
        current.cancel();
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
