package io.wharf.cluster;

import io.wharf.core.cluster.CommandApplier;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Ratis state machine of one group: hands each committed command to the group's
 * {@link CommandApplier}, and tells waiters when every command up to an index has been applied on
 * this node. It takes no snapshots yet, so Ratis keeps the group's whole log and goes through it
 * again when the node restarts; commands the applier's own state already holds are skipped.
 *
 * <p>Ratis calls {@link #applyTransaction} on the group's one apply thread, in log order;
 * {@link #whenApplied} may be called from any thread.
 */
final class CommandStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CommandStateMachine.class);

    // What a command found in the applier's own state gives. Its proposer was answered before the
    // restart; a retry of the same call that reaches this node after it gets this empty result.
    private static final byte[] ALREADY_APPLIED = new byte[0];

    private final CommandApplier applier;
    private final long durableIndex;
    // Applies may complete out of order (different owners); this completes in log order. Apply thread only.
    private CompletableFuture<Void> inOrder = CompletableFuture.completedFuture(null);
    private final AtomicLong appliedUpTo = new AtomicLong();
    private final AtomicLong leaderChanges = new AtomicLong();
    private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> waiters = new ConcurrentSkipListMap<>();

    CommandStateMachine(CommandApplier applier) {
        this.applier = applier;
        this.durableIndex = applier.durableIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        byte[] command = entry.getStateMachineLogEntry().getLogData().toByteArray();
        // An applier that throws is a bug that would make members differ: Ratis stops the group on it.
        CompletableFuture<byte[]> applied = index <= durableIndex
                ? CompletableFuture.completedFuture(ALREADY_APPLIED) : applier.apply(index, command);
        updateLastAppliedTermIndex(entry.getTerm(), index);
        // A failed apply is a bug too, but one the later commands must not wait on for ever: it is
        // logged, its proposer is told, and the index counts as passed.
        inOrder = inOrder.thenCombine(applied.handle((result, e) -> {
            if (e != null) {
                LOG.error("applying command {} of {} failed; this member may now differ from the others", index,
                        getGroupId(), e);
            }
            return null;
        }), (a, b) -> null);
        inOrder.thenRun(() -> appliedUpTo(index));
        return applied.thenApply(result -> Message.valueOf(ByteString.copyFrom(result)));
    }

    /** Entries without a command (a new leader's first entry, membership changes) count as applied too. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        super.notifyTermIndexUpdated(term, index);
        inOrder.thenRun(() -> appliedUpTo(index));
    }

    private void appliedUpTo(long index) {
        appliedUpTo.accumulateAndGet(index, Math::max);
        for (Map.Entry<Long, CompletableFuture<Void>> w; (w = waiters.firstEntry()) != null && w.getKey() <= index; ) {
            waiters.remove(w.getKey(), w.getValue());
            w.getValue().complete(null);
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        leaderChanges.incrementAndGet();
    }

    /** How many times this node has seen the group's leader change (or be lost) since it started. */
    long leaderChanges() {
        return leaderChanges.get();
    }

    /** The last index up to which every command has been applied on this node. */
    long appliedIndex() {
        return appliedUpTo.get();
    }

    /**
     * Completes once every command up to {@code index} has been applied on this node, on the
     * thread that finished the last of them: a caller hands its own work to another thread.
     */
    CompletableFuture<Void> whenApplied(long index) {
        if (appliedUpTo.get() >= index) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> w = waiters.computeIfAbsent(index, i -> new CompletableFuture<>());
        // The index may have been applied between the check and the registration.
        if (appliedUpTo.get() >= index && waiters.remove(index, w)) {
            w.complete(null);
        }
        return w;
    }
}
