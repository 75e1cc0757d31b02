package io.wharf.core.stream;

import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.log.PendingAppend;
import io.wharf.storage.record.RecordBatch;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One partition of a stream: a log read by offset. Readers see only what is durable (the high
 * watermark), so nothing a reader has seen can disappear in a crash.
 *
 * <p>Threading: every method may be called from any thread.
 */
public final class StreamPartition {

    private final String stream;
    private final int index;
    private final Log log;
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiters = new ConcurrentLinkedQueue<>();
    private final ProducerSequences sequences = new ProducerSequences();
    // Read from the log on the first idempotent append, not at open: most partitions never need it.
    private boolean sequencesRecovered;

    /** Offsets at the end of a partition read at open to learn what idempotent producers last wrote. */
    private static final long PRODUCER_STATE_SCAN = 20_000;

    StreamPartition(String stream, int index, Log log) {
        this.stream = stream;
        this.index = index;
        this.log = log;
    }

    /**
     * Reads the partition's latest batches so that a producer retrying across a broker restart
     * is still recognised: its last batches are at the end of the log. Called with the
     * sequences' lock held, before any idempotent append of this run.
     */
    private void recoverProducerSequences() {
        long end = log.durableEndOffset();
        long offset = Math.max(log.startOffset(), end - PRODUCER_STATE_SCAN);
        while (offset < end) {
            try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.DURABLE)) {
                if (s.isEmpty()) {
                    break;
                }
                for (RecordBatch b : s.batches()) {
                    if (b.producerId() >= 0 && !b.isControl() && b.baseSequence() >= 0) {
                        sequences.written(b.producerId(), b.producerEpoch(), b.baseSequence(), b.lastSequence(), b.baseOffset());
                    }
                }
                offset = s.nextOffset();
            } catch (io.wharf.storage.StorageException e) {
                // A damaged tail is reported by the log itself; what could be read is remembered.
                break;
            }
        }
    }

    public String stream() {
        return stream;
    }

    public int index() {
        return index;
    }

    Log log() {
        return log;
    }

    /**
     * Appends one record batch as it is (the log assigns its base offset). Completes with the base
     * offset once the batch is durable under the log's fsync policy.
     *
     * @throws io.wharf.storage.record.InvalidRecordException if the bytes are not one valid batch
     * @throws io.wharf.storage.log.LogClosedException         if the partition is closed or failed
     */
    public CompletableFuture<Long> append(ByteBuffer batch) {
        PendingAppend p = log.append(batch);
        long base = p.baseOffset();
        return p.future().thenApply(r -> {
            wakeReaders();
            return base;
        });
    }

    /** What an idempotent append did with its batch. */
    public sealed interface IdempotentAppend permits Appended, AlreadyWritten, SequenceGap, ProducerFenced {
    }

    /** The batch is new: it completes with its base offset once durable. */
    public record Appended(CompletableFuture<Long> baseOffset) implements IdempotentAppend {
    }

    /** The batch is a retry of one already written at {@code baseOffset}; nothing was appended. */
    public record AlreadyWritten(long baseOffset) implements IdempotentAppend {
    }

    /** The batch does not follow the producer's last one, which ended before {@code expected}. */
    public record SequenceGap(int expected) implements IdempotentAppend {
    }

    /** A newer epoch of the same producer id has written here: this producer is a zombie. */
    public record ProducerFenced(short currentEpoch) implements IdempotentAppend {
    }

    /**
     * Appends a batch from an idempotent producer unless it is a retry of one of its latest
     * batches, or does not follow on from them.
     *
     * @throws io.wharf.storage.record.InvalidRecordException if the bytes are not one valid batch
     * @throws io.wharf.storage.log.LogClosedException         if the partition is closed or failed
     */
    public IdempotentAppend appendIdempotent(ByteBuffer batch, long producerId, short epoch, int firstSequence,
                                             int lastSequence) {
        synchronized (sequences) {
            if (!sequencesRecovered) {
                recoverProducerSequences();
                sequencesRecovered = true;
            }
            return switch (sequences.check(producerId, epoch, firstSequence, lastSequence)) {
                case ProducerSequences.Duplicate d -> new AlreadyWritten(d.baseOffset());
                case ProducerSequences.OutOfOrder o -> new SequenceGap(o.expected());
                case ProducerSequences.Fenced f -> new ProducerFenced(f.currentEpoch());
                case ProducerSequences.Fresh fresh -> {
                    PendingAppend p = log.append(batch);
                    sequences.written(producerId, epoch, firstSequence, lastSequence, p.baseOffset());
                    long base = p.baseOffset();
                    yield new Appended(p.future().handle((r, e) -> {
                        if (e != null) {
                            // Not written after all: a retry must be appended, not taken for a duplicate.
                            synchronized (sequences) {
                                sequences.forget(producerId, firstSequence, base);
                            }
                            throw e instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(e);
                        }
                        wakeReaders();
                        return base;
                    }));
                }
            };
        }
    }

    /** The offset after the last durable record: what readers may see. */
    public long highWatermark() {
        return log.durableEndOffset();
    }

    public long logStartOffset() {
        return log.startOffset();
    }

    /**
     * Reads whole batches from {@code offset}, at least one if any is there, up to about
     * {@code maxBytes}. The caller closes the slice.
     *
     * @throws io.wharf.storage.log.OffsetOutOfRangeException if {@code offset} is outside the log
     */
    public LogSlice read(long offset, int maxBytes) {
        return log.read(offset, maxBytes, Log.ReadBound.DURABLE);
    }

    /** The first offset whose timestamp is at or after {@code timestamp}, if any. */
    public OptionalLong offsetForTimestamp(long timestamp) {
        return log.offsetForTimestamp(timestamp);
    }

    /**
     * Completes once the high watermark is past {@code offset} (at once if it already is). A reader
     * that stops waiting cancels the future, which forgets it.
     */
    public CompletableFuture<Void> awaitData(long offset) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(f);
        f.whenComplete((v, e) -> waiters.remove(f));
        // Checked after registering, so an append completing in between still wakes this reader.
        if (highWatermark() > offset) {
            f.complete(null);
        }
        return f;
    }

    private void wakeReaders() {
        CompletableFuture<Void> w;
        while ((w = waiters.poll()) != null) {
            w.complete(null);
        }
    }

    @Override
    public String toString() {
        return stream + "-" + index;
    }
}
