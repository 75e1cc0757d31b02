package io.wharf.core.stream;

import io.wharf.core.concurrent.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.wharf.core.stats.MessageStats;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogDamage;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.log.PendingAppend;
import io.wharf.storage.record.CheckedBatch;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One partition of a stream: a log read by offset. Readers see only what is durable (the high
 * watermark), so nothing a reader has seen can disappear in a crash.
 *
 * <p>Threading: what producers left in the log (idempotent producers' sequences, open and
 * aborted transactions) belongs to the partition's own {@link SerialExecutor} and changes only
 * there, one command at a time: an idempotent or transactional append, a transaction marker.
 * That state is recovered from the log at open, as the owner's first command, off every network
 * thread. What readers need of it (the last stable offset, the aborted ranges) is published as
 * immutable values after each command, so reads run on any thread without waiting. Readers
 * waiting for data are woken on the owner, never on a log writer thread; an appender's future
 * completes on the writer, and its continuation only hands the answer on.
 */
public final class StreamPartition {

    private static final Logger LOG = LoggerFactory.getLogger(StreamPartition.class);

    private final PartitionAddress address;
    private final Log log;
    private final StreamReplication replication;
    private final MessageStats stats = new MessageStats();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final SerialExecutor owner;
    // Owned by `owner`.
    private final ProducerSequences sequences = new ProducerSequences();
    private PartitionTransactions transactions;
    // Published by `owner` for readers on any thread.
    private volatile long firstUnstableOffset;
    private volatile List<PartitionTransactions.Aborted> aborted = List.of();
    private volatile boolean recovered;

    /** Offsets at the end of a partition read at open to learn what idempotent producers last wrote. */
    private static final long PRODUCER_STATE_SCAN = 20_000;

    /**
     * @param pool        runs the partition's owner; the producer state is recovered there, after this returns
     * @param replication where changes are made: here, or through the partition's Raft group
     */
    StreamPartition(PartitionAddress address, Log log, Executor pool, StreamReplication replication) {
        this.address = address;
        this.log = log;
        this.replication = replication;
        this.owner = new SerialExecutor("stream " + address.stream() + "-" + address.index(), pool, null);
        // Until recovered, committed-only readers see nothing: the log may hold open transactions.
        this.firstUnstableOffset = log.endOffset() == log.startOffset() ? Long.MAX_VALUE : log.startOffset();
        owner.execute(this::recover);
    }

    /** The owner's first command: reads what producers left in the log, then lets readers in. */
    private void recover() {
        try {
            if (log.endOffset() == log.startOffset()) {
                transactions = new PartitionTransactions();
            } else {
                transactions = PartitionTransactions.recover(log);
                recoverProducerSequences();
            }
        } catch (RuntimeException e) {
            // Better a partition whose old transactions count as ended than one no reader can ever pass.
            LOG.warn("stream partition {}: its producers' state could not be read from the log: {}", this, e.toString());
            transactions = new PartitionTransactions();
        }
        recovered = true;
        publish();
        wakeReaders();
    }

    /** Whether the producer state is recovered; until then the last stable offset is the log's start. */
    public boolean recovered() {
        return recovered;
    }

    /** Publishes what readers need of the transactions, after a command changed them. */
    private void publish() {
        transactions.truncatedTo(log.startOffset());
        // The aborted ranges first: a reader that sees the stable offset move past a marker must
        // also see the abort that marker recorded (readers read the offset, then the ranges).
        if (transactions.abortedChanged()) {
            aborted = List.copyOf(transactions.aborted());
        }
        firstUnstableOffset = transactions.firstUnstableOffset();
    }

    /**
     * Reads the partition's latest batches so that a producer retrying across a broker restart
     * is still recognised: its last batches are at the end of the log.
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

    /** Runs {@code command} on the owner; a failure it throws fails the future. */
    private <T> CompletableFuture<T> command(Supplier<CompletableFuture<T>> command) {
        return owner.submit(command);
    }

    public String stream() {
        return address.stream();
    }

    public int index() {
        return address.index();
    }

    /** Which partition this is, as every node of a cluster names it. */
    public PartitionAddress address() {
        return address;
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
        return append(CheckedBatch.check(batch));
    }

    /** Appends a batch whose CRC is known good, as {@link #append(ByteBuffer)} does without hashing it again. */
    public CompletableFuture<Long> append(CheckedBatch batch) {
        PartitionCommand.Append c = new PartitionCommand.Append(batch);
        return replication.replicated() ? replication.submit(this, c).thenApply(Long.class::cast) : append(c);
    }

    // The log's writer orders plain appends: they need nothing of the owner's state.
    private CompletableFuture<Long> append(PartitionCommand.Append c) {
        PendingAppend p = appendCounted(c.batch());
        long base = p.baseOffset();
        return p.future().thenApply(r -> {
            appended();
            return base;
        });
    }

    /**
     * Called on the log's writer when an append is durable. Readers waiting for data are woken
     * on the owner, since a woken reader reads the log; the appender's own continuation runs
     * here and must only hand its answer on (as the protocol adapters do, to their event loop).
     */
    private void appended() {
        if (!waiters.isEmpty()) {
            owner.execute(this::wakeReaders);
        }
    }

    /** What an idempotent append did with its batch. */
    public sealed interface IdempotentAppend permits Appended, AlreadyWritten, SequenceGap, ProducerFenced {
    }

    /** The batch is new: its future completes with its base offset once durable. */
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
     * batches, or does not follow on from them. Completes with what was done, as soon as the
     * owner has decided (the batch's own future says when it is durable); fails with
     * {@link io.wharf.storage.record.InvalidRecordException} if the bytes are not one valid batch
     * and {@link io.wharf.storage.log.LogClosedException} if the partition is closed or failed.
     */
    public CompletableFuture<IdempotentAppend> appendIdempotent(CheckedBatch batch, long producerId, short epoch, int firstSequence,
                                             int lastSequence) {
        return appendIdempotent(new PartitionCommand.AppendIdempotent(batch, producerId, epoch, firstSequence, lastSequence, false));
    }

    /**
     * Appends a batch of a transactional producer as {@link #appendIdempotent} does; its
     * transaction stays open, holding back the last stable offset, until {@link #endTransaction}
     * writes its marker.
     */
    public CompletableFuture<IdempotentAppend> appendTransactional(CheckedBatch batch, long producerId, short epoch, int firstSequence,
                                                int lastSequence) {
        return appendIdempotent(new PartitionCommand.AppendIdempotent(batch, producerId, epoch, firstSequence, lastSequence, true));
    }

    private CompletableFuture<IdempotentAppend> appendIdempotent(PartitionCommand.AppendIdempotent c) {
        if (replication.replicated()) {
            return replication.submit(this, c).thenApply(IdempotentAppend.class::cast);
        }
        // Checking the sequence and handing the batch to the log is short and never blocks: an idle
        // owner runs it on the caller's thread rather than waking a pool thread for it.
        return owner.submitHereIfIdle(() -> CompletableFuture.completedFuture(decideIdempotent(c)));
    }

    /** Appends an idempotent producer's batch unless it repeats or does not follow its latest ones. On the owner. */
    private IdempotentAppend decideIdempotent(PartitionCommand.AppendIdempotent c) {
        long producerId = c.producerId();
        short epoch = c.epoch();
        int firstSequence = c.firstSequence();
        return switch (sequences.check(producerId, epoch, firstSequence, c.lastSequence())) {
            case ProducerSequences.Duplicate d -> new AlreadyWritten(d.baseOffset());
            case ProducerSequences.OutOfOrder o -> new SequenceGap(o.expected());
            case ProducerSequences.Fenced f -> new ProducerFenced(f.currentEpoch());
            case ProducerSequences.Fresh fresh -> {
                PendingAppend p = appendCounted(c.batch());
                sequences.written(producerId, epoch, firstSequence, c.lastSequence(), p.baseOffset());
                long base = p.baseOffset();
                if (c.transactional()) {
                    transactions.appended(producerId, base);
                    publish();
                }
                yield new Appended(p.future().handle((r, e) -> {
                    if (e != null) {
                        // Not written after all: a retry must be appended, not taken for a duplicate.
                        owner.execute(() -> sequences.forget(producerId, firstSequence, base));
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    }
                    appended();
                    return base;
                }));
            }
        };
    }

    /** Appends a batch of data records and counts them as published. */
    private PendingAppend appendCounted(CheckedBatch batch) {
        int bytes = batch.sizeInBytes();
        PendingAppend p = log.append(batch);
        // The log has read the batch's offsets already: its records are counted without parsing it again.
        stats.published(p.lastOffset() - p.baseOffset() + 1, bytes);
        return p;
    }

    /** How many reads wait here for records not yet written (Kafka long polls among them); callable from any thread. */
    public int waitingReaders() {
        return waiters.size();
    }

    /** What producers and readers have done with this partition since the broker started. */
    public MessageStats stats() {
        return stats;
    }

    /** The damaged stretches of the partition's log, whose records readers skip. */
    public List<LogDamage> damage() {
        return log.damage();
    }

    /** Bytes the partition's log takes on disk. */
    public long logBytes() {
        return log.sizeInBytes();
    }

    /**
     * Ends the producer's transaction here with a commit or abort marker, which also fences the
     * producer's older epochs. Completes with the marker's offset once it is durable; from then
     * on the transaction no longer holds back the last stable offset.
     *
     * @throws io.wharf.storage.log.LogClosedException if the partition is closed or failed
     */
    public CompletableFuture<Long> endTransaction(long producerId, short epoch, boolean commit, int coordinatorEpoch,
                                                  long timestamp) {
        return endTransaction(new PartitionCommand.EndTransaction(producerId, epoch, commit, coordinatorEpoch, timestamp));
    }

    private CompletableFuture<Long> endTransaction(PartitionCommand.EndTransaction c) {
        if (replication.replicated()) {
            return replication.submit(this, c).thenApply(Long.class::cast);
        }
        return command(() -> writeMarker(c));
    }

    /** Writes a transaction's marker; the future completes with its offset once durable. On the owner. */
    private CompletableFuture<Long> writeMarker(PartitionCommand.EndTransaction c) {
        PendingAppend p = log.append(TransactionMarkers.marker(c.producerId(), c.epoch(), c.commit(), c.coordinatorEpoch(),
                c.timestamp()));
        sequences.fence(c.producerId(), c.epoch());
        long offset = p.baseOffset();
        return p.future().thenApplyAsync(r -> {
            transactions.ended(c.producerId(), offset, c.commit());
            publish();
            wakeReaders();
            return offset;
        }, owner);
    }

    /**
     * The offset below which every transaction has ended: committed-only readers (Kafka's
     * read_committed) see nothing from it on. Until the partition's transactions are recovered
     * at open, that is its start.
     */
    public long lastStableOffset() {
        return Math.min(firstUnstableOffset, highWatermark());
    }

    /** A transaction that was aborted: the producer's batches from its first offset up to its marker. */
    public record AbortedTransaction(long producerId, long firstOffset, long markerOffset) {
    }

    /** Aborted transactions with batches between {@code from} and {@code to} (exclusive). */
    public List<AbortedTransaction> abortedTransactions(long from, long to) {
        List<AbortedTransaction> out = new ArrayList<>();
        for (PartitionTransactions.Aborted a : aborted) {
            if (a.markerOffset() >= from && a.firstOffset() < to) {
                out.add(new AbortedTransaction(a.producerId(), a.firstOffset(), a.markerOffset()));
            }
        }
        return out;
    }

    /** The offset after the last durable record: what readers may see. */
    public long highWatermark() {
        return log.durableEndOffset();
    }

    public long logStartOffset() {
        return log.startOffset();
    }

    /**
     * Makes every record below {@code offset} unreadable and deletes the segments that hold only
     * such records (Kafka's DeleteRecords). The new start is kept across restarts.
     *
     * Runs on the partition's owner, in turn with its appends.
     *
     * @param offset at most the high watermark
     * @return a future of the partition's start offset afterwards, failed with an
     *         {@link IOException} if a segment cannot be deleted
     */
    public CompletableFuture<Long> deleteRecordsBefore(long offset) {
        PartitionCommand.DeleteRecords c = new PartitionCommand.DeleteRecords(offset);
        return (replication.replicated() ? replication.submit(this, c) : apply(c)).thenApply(Long.class::cast);
    }

    private long deleteRecords(PartitionCommand.DeleteRecords c) throws IOException {
        assert owner.inExecutor() : "a stream partition changes on its owner only";
        log.deleteBefore(Math.min(c.offset(), highWatermark()));
        return log.startOffset();
    }

    /**
     * Applies a command here, whatever the partition's replication: what a replica does with the
     * commands its group agreed on. Completes with what the command's own method answers: a base
     * offset, an {@link IdempotentAppend}, a marker's offset, or the new start offset.
     */
    public CompletableFuture<Object> apply(PartitionCommand command) {
        CompletableFuture<?> done = switch (command) {
            case PartitionCommand.Append c -> append(c);
            case PartitionCommand.AppendIdempotent c -> appendIdempotent(c);
            case PartitionCommand.EndTransaction c -> endTransaction(c);
            case PartitionCommand.DeleteRecords c -> command(() -> {
                try {
                    return CompletableFuture.completedFuture(deleteRecords(c));
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
        };
        return done.thenApply(Object.class::cast);
    }

    /**
     * Applies a command here as {@link #apply} does, on the partition's owner in the order given.
     * The outer future completes once the command's place in the log is fixed (the log's end is
     * past what it wrote), so that the next command given lands after it; the inner one with its
     * answer, once durable. A replica applies its group's commands this way, one after another.
     */
    public CompletableFuture<CompletableFuture<Object>> applyInOrder(PartitionCommand command) {
        return owner.submitHereIfIdle(() -> CompletableFuture.completedFuture(switch (command) {
            case PartitionCommand.Append c -> append(c).thenApply(Object.class::cast);
            case PartitionCommand.AppendIdempotent c -> CompletableFuture.completedFuture(decideIdempotent(c));
            case PartitionCommand.EndTransaction c -> writeMarker(c).thenApply(Object.class::cast);
            case PartitionCommand.DeleteRecords c -> {
                try {
                    yield CompletableFuture.completedFuture(deleteRecords(c));
                } catch (IOException e) {
                    yield CompletableFuture.failedFuture(e);
                }
            }
        }));
    }

    /** The offset the next appended batch gets: past every batch appended, written yet or not. */
    public long endOffset() {
        return log.appendEnd();
    }

    /**
     * Whether the log holds, at {@code offset}, the batch {@code command} writes (the same bytes,
     * by their CRC; a marker of the same producer, epoch and outcome): how a replica going through
     * its group's log again after a restart tells what it wrote before from what it must write.
     */
    public boolean holds(long offset, PartitionCommand command) {
        if (offset < log.startOffset() || offset >= log.endOffset()) {
            return false;
        }
        try (LogSlice s = log.read(offset, 1, Log.ReadBound.WRITTEN)) {
            List<RecordBatch> batches = s.batches();
            if (batches.isEmpty() || batches.get(0).baseOffset() != offset) {
                return false;
            }
            RecordBatch b = batches.get(0);
            return switch (command) {
                case PartitionCommand.Append c -> b.storedCrc() == c.batch().batch().storedCrc();
                case PartitionCommand.AppendIdempotent c -> b.storedCrc() == c.batch().batch().storedCrc();
                case PartitionCommand.EndTransaction c -> b.isControl() && b.producerId() == c.producerId()
                        && b.producerEpoch() == c.epoch();
                case PartitionCommand.DeleteRecords c -> false;
            };
        } catch (io.wharf.storage.StorageException e) {
            return false;
        }
    }

    /**
     * Reads whole batches from {@code offset}, at least one if any is there, up to about
     * {@code maxBytes}. The caller closes the slice.
     *
     * @throws io.wharf.storage.log.OffsetOutOfRangeException if {@code offset} is outside the log
     */
    public LogSlice read(long offset, int maxBytes) {
        return counted(log.read(offset, maxBytes, Log.ReadBound.DURABLE));
    }

    /**
     * Reads as {@link #read} does, but only below {@code stopOffset}: a committed-only reader
     * passes the {@link #lastStableOffset()}.
     */
    public LogSlice read(long offset, int maxBytes, long stopOffset) {
        return counted(log.read(offset, maxBytes, Log.ReadBound.DURABLE, stopOffset));
    }

    /** Counts what a reader takes; offsets stand for messages, as control records are few. */
    private LogSlice counted(LogSlice slice) {
        if (!slice.isEmpty()) {
            stats.delivered(Math.max(0, slice.nextOffset() - slice.requestedOffset()), slice.sizeInBytes(), false);
        }
        return slice;
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
        return awaitData(offset, false);
    }

    /**
     * Completes once there is something past {@code offset} for the reader: beyond the high
     * watermark, or for a committed-only reader beyond the last stable offset. A reader that
     * stops waiting cancels the future, which forgets it.
     */
    public CompletableFuture<Void> awaitData(long offset, boolean committedOnly) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(new Waiter(f, offset, committedOnly));
        f.whenComplete((v, e) -> waiters.removeIf(w -> w.future() == f));
        // Checked after registering, so an append completing in between still wakes this reader.
        if (readable(offset, committedOnly)) {
            f.complete(null);
        }
        return f;
    }

    private boolean readable(long offset, boolean committedOnly) {
        return (committedOnly ? lastStableOffset() : highWatermark()) > offset;
    }

    /** What a committed-only reader gets from one read: records of committed transactions and plain records. */
    public record CommittedRead(List<Record> records, long nextOffset) {
    }

    /**
     * Reads records below the last stable offset from {@code offset} on, leaving out transaction
     * markers and the records of aborted transactions, as Kafka's read_committed consumers see them.
     *
     * @throws io.wharf.storage.log.OffsetOutOfRangeException if {@code offset} is outside the log
     */
    public CommittedRead readCommitted(long offset, int maxBytes) {
        long stable = lastStableOffset();
        if (offset >= stable) {
            return new CommittedRead(List.of(), offset);
        }
        try (LogSlice slice = read(offset, maxBytes, stable)) {
            if (slice.isEmpty()) {
                return new CommittedRead(List.of(), Math.max(offset, slice.nextOffset()));
            }
            List<AbortedTransaction> aborted = abortedTransactions(offset, slice.nextOffset());
            List<Record> out = new ArrayList<>();
            for (RecordBatch b : slice.batches()) {
                if (b.isControl() || (b.isTransactional() && isAborted(aborted, b))) {
                    continue;
                }
                for (Record r : b.records()) {
                    if (r.offset() >= offset) {
                        out.add(r);
                    }
                }
            }
            return new CommittedRead(out, slice.nextOffset());
        }
    }

    private static boolean isAborted(List<AbortedTransaction> aborted, RecordBatch b) {
        for (AbortedTransaction a : aborted) {
            if (a.producerId() == b.producerId() && a.firstOffset() <= b.baseOffset() && b.baseOffset() < a.markerOffset()) {
                return true;
            }
        }
        return false;
    }

    private record Waiter(CompletableFuture<Void> future, long offset, boolean committedOnly) {
    }

    private void wakeReaders() {
        for (Waiter w : waiters) {
            if (readable(w.offset(), w.committedOnly())) {
                w.future().complete(null);
            }
        }
    }

    @Override
    public String toString() {
        return address.stream() + "-" + address.index();
    }
}
