package io.wharf.protocol.kafka;

import io.wharf.core.stream.StreamPartition;
import org.apache.kafka.common.message.FetchResponseData;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka fetch, as Kafka's DelayedFetch: it reads its partitions, and when they hold less
 * than its {@code min.bytes} it waits, parked on the partitions it reads, until one of them has
 * more or its {@code max.wait} is up, then reads again.
 *
 * <p>Threading: every read runs on the streams' read threads, never on a network thread or a
 * log writer. A partition that gets data wakes the fetch on its owner, and the deadline on the
 * timer; both only hand the next read to the read threads. The answer completes on a read
 * thread; the connection writes it on its own loop, in request order.
 */
final class DelayedFetch {

    /** Reads every partition once; {@code records} gets how many records were read. */
    interface Reader {
        FetchResponseData read(long[] records);
    }

    /**
     * A partition the fetch waits on, from the offset it asked for.
     *
     * @param topicAt     where its topic is in the answer (topics may be named by id only)
     * @param partitionAt where it is among its topic's partitions in the answer
     */
    record Watched(StreamPartition partition, long fetchOffset, int topicAt, int partitionAt) {
    }

    /** The fetch's answer and the records it carries (for the connection's counters). */
    record Answer(FetchResponseData response, long records) {
    }

    private final Reader reader;
    private final List<Watched> watched;
    private final boolean committedOnly;
    private final int minBytes;
    private final long deadlineNanos;
    private final Executor reads;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();

    private DelayedFetch(Reader reader, List<Watched> watched, boolean committedOnly, int minBytes, long maxWaitMs,
                         Executor reads, ScheduledExecutorService timers) {
        this.reader = reader;
        this.watched = watched;
        this.committedOnly = committedOnly;
        this.minBytes = minBytes;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMs));
        this.reads = reads;
        this.timers = timers;
    }

    /**
     * Starts the fetch on the read threads; completes with its answer. As in Kafka, a fetch with a
     * {@code minBytes} of 0 or less, or no wait, is answered with what the first read finds.
     */
    static CompletableFuture<Answer> start(Reader reader, List<Watched> watched, boolean committedOnly, int minBytes,
                                           long maxWaitMs, Executor reads, ScheduledExecutorService timers) {
        DelayedFetch f = new DelayedFetch(reader, watched, committedOnly, minBytes, maxWaitMs, reads, timers);
        f.readLater();
        return f.answer;
    }

    private void readLater() {
        try {
            reads.execute(this::attempt);
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(e);
        }
    }

    private void attempt() {
        try {
            long[] records = new long[1];
            FetchResponseData r = reader.read(records);
            if (bytesIn(r) >= minBytes || hasErrors(r) || watched.isEmpty() || System.nanoTime() >= deadlineNanos) {
                answer.complete(new Answer(r, records[0]));
            } else {
                park(r);
            }
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }

    /**
     * Waits for any partition to move past what this read saw of it, or for the deadline. Each
     * wait starts at the end the read saw, so data already read and short of min.bytes does not
     * wake the fetch again at once.
     */
    private void park(FetchResponseData seen) {
        CompletableFuture<Void> wake = new CompletableFuture<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>(watched.size());
        for (Watched w : watched) {
            long end = seenEnd(seen, w);
            CompletableFuture<Void> wait = w.partition().awaitData(Math.max(w.fetchOffset(), end), committedOnly);
            waits.add(wait);
            wait.thenRun(() -> wake.complete(null));
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = timers.schedule(() -> wake.complete(null), deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            waits.forEach(w -> w.cancel(false));
            answer.completeExceptionally(e);
            return;
        }
        // The waits that did not fire are forgotten, so idle partitions keep no trace of this fetch.
        wake.whenComplete((v, e) -> {
            waits.forEach(w -> w.cancel(false));
            deadline.cancel(false);
            readLater();
        });
    }

    /** The end of the partition as the read saw it: its high watermark, or last stable offset for committed-only readers. */
    private long seenEnd(FetchResponseData seen, Watched w) {
        FetchResponseData.PartitionData p = seen.responses().get(w.topicAt()).partitions().get(w.partitionAt());
        return committedOnly ? p.lastStableOffset() : p.highWatermark();
    }

    static int bytesIn(FetchResponseData d) {
        int n = 0;
        for (FetchResponseData.FetchableTopicResponse t : d.responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                n += p.records() == null ? 0 : p.records().sizeInBytes();
            }
        }
        return n;
    }

    private static boolean hasErrors(FetchResponseData d) {
        return d.responses().stream().flatMap(t -> t.partitions().stream()).anyMatch(p -> p.errorCode() != 0);
    }
}
