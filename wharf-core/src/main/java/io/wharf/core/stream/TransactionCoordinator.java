package io.wharf.core.stream;

import io.wharf.core.concurrent.SerialExecutor;
import io.wharf.storage.journal.CommandReader;
import io.wharf.storage.journal.CommandWriter;
import io.wharf.storage.metadata.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Transactions of producers that write to several stream partitions (and commit consumer group
 * offsets) atomically, as Kafka's transaction coordinator runs them: a transactional id owns a
 * producer id whose epoch fences older instances; a transaction collects partitions and offsets,
 * then ends with a commit or abort marker in every partition it wrote to.
 *
 * <p>The decision to commit or abort is durable before any marker is written, so a transaction
 * interrupted by a crash is completed the same way on restart; one still open at a crash is
 * aborted when its timeout passes or its producer starts again.
 *
 * <p>Threading: the transactions belong to the coordinator's {@link SerialExecutor} and change
 * only there, one command at a time (start a producer, add partitions or a group, hold offsets,
 * end, time out), continuations of storage writes included. After each command the transaction's
 * state is published as an immutable {@link Published} value, which the checks made on every
 * transactional write ({@link #checkWrite}, {@link #hasPendingOffset}) read from any thread
 * without waiting. Every method may be called from any thread.
 */
public final class TransactionCoordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
    private static final byte FORMAT = 1;
    /** As Kafka's transaction.max.timeout.ms defaults. */
    public static final int MAX_TIMEOUT_MS = 900_000;
    private static final long EXPIRY_CHECK_MS = 1_000;

    /** What a request did, for the protocol to turn into its own error code. */
    public enum Outcome {
        NONE,
        /** The transactional id is unknown or belongs to another producer id. */
        UNKNOWN_PRODUCER,
        /** A newer epoch of the producer exists: this one is a zombie. */
        FENCED,
        /** The request does not fit the transaction's state (ending one that never started, say). */
        INVALID_STATE,
        /** The previous transaction is still being completed: retry shortly. */
        CONCURRENT,
        INVALID_TIMEOUT,
        /** Markers could not be written; the outcome stands and is completed on retry or restart. */
        STORAGE_ERROR
    }

    /** A producer id and epoch handed to a producer, or the reason none was. */
    public record ProducerIdentity(Outcome outcome, long producerId, short epoch) {
    }

    /** One partition of a stream. */
    public record PartitionRef(String stream, int partition) {
    }

    /** A group offset to be committed with the transaction. */
    public record PendingOffset(long offset, String metadata) {
    }

    /** A transaction as an operator sees it. */
    public record View(String transactionalId, long producerId, short epoch, String state, int timeoutMs,
                       long startedAt, List<PartitionRef> partitions) {
    }

    private enum State { EMPTY, ONGOING, PREPARE_COMMIT, PREPARE_ABORT, COMPLETE_COMMIT, COMPLETE_ABORT }

    private static final class Txn {
        final String id;
        /** -1 until a producer first starts with this transactional id. */
        long producerId = -1;
        short epoch;
        int timeoutMs;
        State state = State.EMPTY;
        long startedAt = -1;
        final Set<PartitionRef> partitions = new LinkedHashSet<>();
        final Set<String> groups = new LinkedHashSet<>();
        final Map<String, Map<PartitionRef, PendingOffset>> offsets = new LinkedHashMap<>();
        /** Set while the markers of a decided transaction are being written. */
        CompletableFuture<Outcome> completing;

        Txn(String id) {
            this.id = id;
        }
    }

    private final MetadataStore store;
    private final String prefix;
    private final Function<String, Stream> streams;
    private final GroupOffsets groupOffsets;
    private final Clock clock;
    private final SerialExecutor owner;
    // Owned by `owner` (and by the constructor, before anything else can run).
    private final Map<String, Txn> txns = new HashMap<>();
    // Published by `owner` after each command, for readers on any thread.
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    // Ids unique across restarts without storing a counter: they start from the clock.
    private final AtomicLong nextProducerId;
    private final ScheduledFuture<?> expiry;

    /** What readers on other threads see of one transaction: its producer, state and pending offsets. */
    private record Published(long producerId, short epoch, State state, Set<PartitionRef> partitions,
                             Set<GroupPartition> pendingOffsets, View view) {
    }

    private record GroupPartition(String group, PartitionRef partition) {
    }

    /**
     * Loads the transactional ids of a virtual host and completes the transactions a crash left
     * decided but unfinished. Streams must be open already.
     *
     * @param pool runs the coordinator's owner
     */
    public TransactionCoordinator(MetadataStore store, String vhost, Function<String, Stream> streams,
                                  GroupOffsets groupOffsets, Clock clock, ScheduledExecutorService timers, Executor pool) {
        this.owner = new SerialExecutor("transactions " + vhost, pool, null);
        this.store = store;
        this.prefix = "txn\0" + vhost + "\0";
        this.streams = streams;
        this.groupOffsets = groupOffsets;
        this.clock = clock;
        this.nextProducerId = new AtomicLong(clock.millis() * 1000);
        long now = clock.millis();
        store.scan(prefix).forEach((key, value) -> {
            Txn t = decode(key.substring(prefix.length()), value);
            if (t.state == State.ONGOING) {
                // Its timeout runs again from now: the producer may still come back and end it.
                t.startedAt = now;
            }
            txns.put(t.id, t);
            publish(t);
            nextProducerId.accumulateAndGet(t.producerId + 1, Math::max);
        });
        owner.execute(() -> {
            for (Txn t : txns.values()) {
                if (t.state == State.PREPARE_COMMIT || t.state == State.PREPARE_ABORT) {
                    LOG.info("transaction '{}': completing its {} after a restart", t.id,
                            t.state == State.PREPARE_COMMIT ? "commit" : "abort");
                    finish(t, clock.millis());
                }
            }
        });
        this.expiry = timers.scheduleWithFixedDelay(() -> owner.execute(this::abortTimedOut), EXPIRY_CHECK_MS, EXPIRY_CHECK_MS,
                TimeUnit.MILLISECONDS);
    }

    /** Publishes what readers on other threads need of {@code t}, after a command changed it. */
    private void publish(Txn t) {
        Set<GroupPartition> pending = new HashSet<>();
        t.offsets.forEach((group, offsets) -> offsets.keySet().forEach(p -> pending.add(new GroupPartition(group, p))));
        List<PartitionRef> partitions = List.copyOf(t.partitions);
        published.put(t.id, new Published(t.producerId, t.epoch, t.state, Set.copyOf(t.partitions), Set.copyOf(pending),
                new View(t.id, t.producerId, t.epoch, stateName(t.state), t.timeoutMs, t.startedAt, partitions)));
    }

    /** A producer id for an idempotent producer without a transactional id. */
    public long newProducerId() {
        return nextProducerId.getAndIncrement();
    }

    /**
     * Starts (or restarts) the producer of a transactional id: a new epoch fences every older
     * instance, and a transaction the old one left open is aborted first.
     *
     * @param expectedProducerId the id and epoch the caller had, to bump its epoch; -1 for a fresh start
     */
    public CompletableFuture<ProducerIdentity> initProducer(String id, int timeoutMs, long expectedProducerId,
                                                            short expectedEpoch) {
        if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
            return CompletableFuture.completedFuture(new ProducerIdentity(Outcome.INVALID_TIMEOUT, -1, (short) -1));
        }
        return owner.submit(() -> initProducer(new TxnCommand.InitProducer(id, timeoutMs, expectedProducerId, expectedEpoch,
                newProducerId(), clock.millis())));
    }

    /** Adds partitions the producer is about to write to its transaction. */
    public CompletableFuture<Outcome> addPartitions(String id, long producerId, short epoch, Collection<PartitionRef> partitions) {
        return owner.submit(() -> addPartitions(new TxnCommand.AddPartitions(id, producerId, epoch, List.copyOf(partitions),
                clock.millis())));
    }

    /** Adds a consumer group whose offsets the transaction will commit. */
    public CompletableFuture<Outcome> addGroup(String id, long producerId, short epoch, String group) {
        return owner.submit(() -> addGroup(new TxnCommand.AddGroup(id, producerId, epoch, group, clock.millis())));
    }

    /** Holds group offsets until the transaction commits; an abort drops them. */
    public CompletableFuture<Outcome> commitOffsets(String id, long producerId, short epoch, String group,
                                                    Map<PartitionRef, PendingOffset> offsets) {
        return owner.submit(() -> holdOffsets(new TxnCommand.HoldOffsets(id, producerId, epoch, group, offsets)));
    }

    /**
     * Commits or aborts the producer's transaction: the decision is made durable, then a marker
     * is written to every partition and, on commit, the group offsets are committed. Completes
     * when all of that is done.
     */
    public CompletableFuture<Outcome> end(String id, long producerId, short epoch, boolean commit) {
        return owner.submit(() -> end(new TxnCommand.End(id, producerId, epoch, commit, clock.millis())));
    }

    /**
     * Applies a command decided elsewhere: what a replica does with the commands its leader
     * decided. Completes with the command's answer (a {@link ProducerIdentity} or an {@link Outcome}).
     */
    public CompletableFuture<Object> apply(TxnCommand command) {
        return owner.submit(() -> (switch (command) {
            case TxnCommand.InitProducer c -> initProducer(c);
            case TxnCommand.AddPartitions c -> addPartitions(c);
            case TxnCommand.AddGroup c -> addGroup(c);
            case TxnCommand.HoldOffsets c -> holdOffsets(c);
            case TxnCommand.End c -> end(c);
            case TxnCommand.TimeOut c -> timeOut(c);
            case TxnCommand.MarkersWritten c -> markersWritten(c);
        }).thenApply(Object.class::cast));
    }

    // ---------------------------------------------------------------- applying commands, on the owner

    private CompletableFuture<ProducerIdentity> initProducer(TxnCommand.InitProducer c) {
        assert owner.inExecutor() : "transactions change on their owner only";
        // The id a command decided elsewhere carries is taken here too, so this coordinator never
        // hands it out again.
        nextProducerId.accumulateAndGet(c.newProducerId() + 1, Math::max);
        Txn t = txns.computeIfAbsent(c.transactionalId(), Txn::new);
        boolean fresh = t.producerId < 0;
        if (c.expectedProducerId() >= 0 && !fresh && (c.expectedProducerId() != t.producerId || c.expectedEpoch() != t.epoch)) {
            return CompletableFuture.completedFuture(new ProducerIdentity(Outcome.FENCED, -1, (short) -1));
        }
        if (t.completing != null || t.state == State.PREPARE_COMMIT || t.state == State.PREPARE_ABORT) {
            if (t.completing == null) {
                // Completing it failed before: try again, and let the producer retry meanwhile.
                finish(t, c.at());
            }
            return CompletableFuture.completedFuture(new ProducerIdentity(Outcome.CONCURRENT, -1, (short) -1));
        }
        if (fresh) {
            t.producerId = c.newProducerId();
            t.epoch = 0;
        } else {
            bumpEpoch(t, c.newProducerId());
        }
        t.timeoutMs = c.timeoutMs();
        CompletableFuture<Outcome> done;
        if (t.state == State.ONGOING) {
            // The previous instance's transaction is aborted under the new epoch, fencing it.
            t.state = State.PREPARE_ABORT;
            done = finish(t, c.at());
        } else {
            t.state = State.EMPTY;
            clear(t);
            done = persist(t).thenApply(v -> Outcome.NONE);
        }
        publish(t);
        long pid = t.producerId;
        short epoch = t.epoch;
        return done.handle((o, e) -> e != null || o != Outcome.NONE
                ? new ProducerIdentity(Outcome.CONCURRENT, -1, (short) -1)
                : new ProducerIdentity(Outcome.NONE, pid, epoch));
    }

    private CompletableFuture<Outcome> addPartitions(TxnCommand.AddPartitions c) {
        return join(c.transactionalId(), c.producerId(), c.epoch(), c.at(), t -> t.partitions.addAll(c.partitions()));
    }

    private CompletableFuture<Outcome> addGroup(TxnCommand.AddGroup c) {
        return join(c.transactionalId(), c.producerId(), c.epoch(), c.at(), t -> t.groups.add(c.group()));
    }

    private CompletableFuture<Outcome> join(String id, long producerId, short epoch, long at, Function<Txn, Boolean> add) {
        return owned(id, producerId, epoch, t -> {
            if (t.completing != null || t.state == State.PREPARE_COMMIT || t.state == State.PREPARE_ABORT) {
                return CompletableFuture.completedFuture(Outcome.CONCURRENT);
            }
            boolean changed = add.apply(t);
            if (t.state != State.ONGOING) {
                t.state = State.ONGOING;
                t.startedAt = at;
                changed = true;
            }
            publish(t);
            return changed ? persist(t).thenApply(v -> Outcome.NONE) : CompletableFuture.completedFuture(Outcome.NONE);
        });
    }

    private CompletableFuture<Outcome> holdOffsets(TxnCommand.HoldOffsets c) {
        return owned(c.transactionalId(), c.producerId(), c.epoch(), t -> {
            if (t.state != State.ONGOING || !t.groups.contains(c.group())) {
                return CompletableFuture.completedFuture(Outcome.INVALID_STATE);
            }
            t.offsets.computeIfAbsent(c.group(), g -> new LinkedHashMap<>()).putAll(c.offsets());
            publish(t);
            return CompletableFuture.completedFuture(Outcome.NONE);
        });
    }

    private CompletableFuture<Outcome> end(TxnCommand.End c) {
        assert owner.inExecutor() : "transactions change on their owner only";
        return owned(c.transactionalId(), c.producerId(), c.epoch(), t -> {
            State prepare = c.commit() ? State.PREPARE_COMMIT : State.PREPARE_ABORT;
            switch (t.state) {
                case ONGOING -> {
                    t.state = prepare;
                    return finish(t, c.at());
                }
                case PREPARE_COMMIT, PREPARE_ABORT -> {
                    if (t.state != prepare) {
                        return CompletableFuture.completedFuture(Outcome.INVALID_STATE);
                    }
                    // A retry: wait for the markers, or write them again if that failed.
                    return t.completing != null ? t.completing : finish(t, c.at());
                }
                case COMPLETE_COMMIT, COMPLETE_ABORT -> {
                    boolean same = (t.state == State.COMPLETE_COMMIT) == c.commit();
                    return CompletableFuture.completedFuture(same ? Outcome.NONE : Outcome.INVALID_STATE);
                }
                default -> {
                    return CompletableFuture.completedFuture(Outcome.INVALID_STATE);
                }
            }
        });
    }

    /** Aborts a transaction open longer than its timeout, fencing its producer with a new epoch as Kafka does. */
    private CompletableFuture<Outcome> timeOut(TxnCommand.TimeOut c) {
        assert owner.inExecutor() : "transactions change on their owner only";
        Txn t = txns.get(c.transactionalId());
        if (t == null || t.state != State.ONGOING || t.completing != null) {
            return CompletableFuture.completedFuture(Outcome.INVALID_STATE);
        }
        LOG.info("transaction '{}' of producer {} timed out after {} ms: aborting it", t.id, t.producerId, t.timeoutMs);
        bumpEpoch(t, c.newProducerId());
        t.state = State.PREPARE_ABORT;
        return finish(t, c.at());
    }

    /** The decided transaction's markers are all written: it is complete. */
    private CompletableFuture<Outcome> markersWritten(TxnCommand.MarkersWritten c) {
        Txn t = txns.get(c.transactionalId());
        if (t == null || t.producerId != c.producerId() || t.epoch != c.epoch()
                || (t.state != State.PREPARE_COMMIT && t.state != State.PREPARE_ABORT)) {
            return CompletableFuture.completedFuture(Outcome.INVALID_STATE);
        }
        t.state = t.state == State.PREPARE_COMMIT ? State.COMPLETE_COMMIT : State.COMPLETE_ABORT;
        clear(t);
        publish(t);
        return persist(t).thenApply(x -> Outcome.NONE);
    }

    /**
     * Runs {@code action} if the producer id and epoch are the transaction's current ones;
     * otherwise completes with the reason. On the owner.
     */
    private CompletableFuture<Outcome> owned(String id, long producerId, short epoch, Function<Txn, CompletableFuture<Outcome>> action) {
        Txn t = txns.get(id);
        Outcome o = t == null ? Outcome.UNKNOWN_PRODUCER : check(t, producerId, epoch);
        return o != Outcome.NONE ? CompletableFuture.completedFuture(o) : action.apply(t);
    }

    /**
     * Whether the producer may write transactional batches to the partition now: read from what
     * the owner published, which includes every partition an answered AddPartitionsToTxn added.
     */
    public Outcome checkWrite(String id, long producerId, short epoch, PartitionRef partition) {
        Published t = published.get(id);
        if (t == null || producerId != t.producerId()) {
            return Outcome.UNKNOWN_PRODUCER;
        }
        if (epoch != t.epoch()) {
            return Outcome.FENCED;
        }
        return t.state() == State.ONGOING && t.partitions().contains(partition) ? Outcome.NONE : Outcome.INVALID_STATE;
    }

    /** Whether an open transaction holds an offset for the group's partition that it may still commit. */
    public boolean hasPendingOffset(String group, String stream, int partition) {
        GroupPartition p = new GroupPartition(group, new PartitionRef(stream, partition));
        for (Published t : published.values()) {
            if ((t.state() == State.ONGOING || t.state() == State.PREPARE_COMMIT) && t.pendingOffsets().contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** Every transactional id's current transaction, as last published. */
    public List<View> transactions() {
        List<View> out = new ArrayList<>();
        for (Published t : published.values()) {
            out.add(t.view());
        }
        return out;
    }

    private static String stateName(State s) {
        return switch (s) {
            case EMPTY -> "Empty";
            case ONGOING -> "Ongoing";
            case PREPARE_COMMIT -> "PrepareCommit";
            case PREPARE_ABORT -> "PrepareAbort";
            case COMPLETE_COMMIT -> "CompleteCommit";
            case COMPLETE_ABORT -> "CompleteAbort";
        };
    }

    @Override
    public void close() {
        expiry.cancel(false);
    }

    private static Outcome check(Txn t, long producerId, short epoch) {
        if (producerId != t.producerId) {
            return Outcome.UNKNOWN_PRODUCER;
        }
        return epoch != t.epoch ? Outcome.FENCED : Outcome.NONE;
    }

    /**
     * Makes a decided transaction's state durable, then writes its markers (stamped {@code at})
     * and applies {@link TxnCommand.MarkersWritten}. Runs on the owner, and so does every step
     * after a write.
     */
    private CompletableFuture<Outcome> finish(Txn t, long at) {
        publish(t);
        long producerId = t.producerId;
        short epoch = t.epoch;
        CompletableFuture<Outcome> f = persist(t).thenComposeAsync(v -> writeMarkers(t, at), owner)
                .thenComposeAsync(v -> markersWritten(new TxnCommand.MarkersWritten(t.id, producerId, epoch)), owner)
                .exceptionally(e -> {
                    LOG.warn("transaction '{}': completing it failed; it completes on retry or restart: {}", t.id, e.getMessage());
                    return Outcome.STORAGE_ERROR;
                });
        t.completing = f;
        f.whenCompleteAsync((o, e) -> {
            if (t.completing == f) {
                t.completing = null;
            }
        }, owner);
        return f;
    }

    private CompletableFuture<Void> writeMarkers(Txn t, long at) {
        boolean commit = t.state == State.PREPARE_COMMIT;
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (PartitionRef p : t.partitions) {
            Stream s = streams.apply(p.stream());
            StreamPartition sp = s == null ? null : s.partition(p.partition());
            if (sp == null) {
                // Deleted since: nothing left to mark.
                continue;
            }
            try {
                writes.add(sp.endTransaction(t.producerId, t.epoch, commit, 0, at));
            } catch (RuntimeException e) {
                writes.add(CompletableFuture.failedFuture(e));
            }
        }
        if (commit) {
            t.offsets.forEach((group, offsets) -> offsets.forEach((p, o) ->
                    writes.add(groupOffsets.commit(group, p.stream(), p.partition(), o.offset(), o.metadata()))));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private static void clear(Txn t) {
        t.partitions.clear();
        t.groups.clear();
        t.offsets.clear();
        t.startedAt = -1;
    }

    /** Decides from the clock which open transactions outlived their timeout, and aborts them. */
    private void abortTimedOut() {
        long now = clock.millis();
        for (Txn t : List.copyOf(txns.values())) {
            if (t.state == State.ONGOING && t.completing == null && now - t.startedAt > t.timeoutMs) {
                timeOut(new TxnCommand.TimeOut(t.id, newProducerId(), now));
            }
        }
    }

    /** A new epoch fences the producer's older instances; an exhausted epoch moves to {@code newProducerId}. */
    private static void bumpEpoch(Txn t, long newProducerId) {
        if (t.epoch >= Short.MAX_VALUE - 1) {
            t.producerId = newProducerId;
            t.epoch = 0;
        } else {
            t.epoch++;
        }
    }

    // ---------------------------------------------------------------- persistence

    private CompletableFuture<Void> persist(Txn t) {
        CommandWriter w = new CommandWriter(128);
        w.putByte(FORMAT).putVarlong(t.producerId).putVarint(t.epoch).putVarint(t.timeoutMs).putByte((byte) t.state.ordinal());
        w.putVarint(t.partitions.size());
        for (PartitionRef p : t.partitions) {
            w.putString(p.stream()).putVarint(p.partition());
        }
        w.putVarint(t.groups.size());
        for (String g : t.groups) {
            w.putString(g);
        }
        // Offsets are only kept once the transaction is decided: until then a crash aborts it anyway.
        boolean withOffsets = t.state == State.PREPARE_COMMIT;
        w.putVarint(withOffsets ? t.offsets.size() : 0);
        if (withOffsets) {
            t.offsets.forEach((group, offsets) -> {
                w.putString(group).putVarint(offsets.size());
                offsets.forEach((p, o) -> w.putString(p.stream()).putVarint(p.partition()).putVarlong(o.offset())
                        .putString(o.metadata() == null ? "" : o.metadata()));
            });
        }
        return store.put(prefix + t.id, w.toByteArray());
    }

    private static Txn decode(String id, byte[] bytes) {
        CommandReader r = new CommandReader(ByteBuffer.wrap(bytes));
        if (r.getByte() != FORMAT) {
            throw new IllegalStateException("transaction '" + id + "' is stored in an unknown format");
        }
        Txn t = new Txn(id);
        t.producerId = r.getVarlong();
        t.epoch = (short) r.getVarint();
        t.timeoutMs = r.getVarint();
        t.state = State.values()[r.getByte()];
        for (int i = r.getVarint(); i > 0; i--) {
            t.partitions.add(new PartitionRef(r.getString(), r.getVarint()));
        }
        for (int i = r.getVarint(); i > 0; i--) {
            t.groups.add(r.getString());
        }
        for (int i = r.getVarint(); i > 0; i--) {
            String group = r.getString();
            Map<PartitionRef, PendingOffset> offsets = new HashMap<>();
            for (int j = r.getVarint(); j > 0; j--) {
                offsets.put(new PartitionRef(r.getString(), r.getVarint()), new PendingOffset(r.getVarlong(), r.getString()));
            }
            t.offsets.put(group, offsets);
        }
        return t;
    }
}
