package io.wharf.core.group;

import io.wharf.core.concurrent.SerialExecutor;
import io.wharf.core.group.GroupCommand.Delete;
import io.wharf.core.group.GroupCommand.Heartbeat;
import io.wharf.core.group.GroupCommand.Join;
import io.wharf.core.group.GroupCommand.JoinRequest;
import io.wharf.core.group.GroupCommand.Leave;
import io.wharf.core.group.GroupCommand.MemberRef;
import io.wharf.core.group.GroupCommand.Sync;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The consumer groups of one virtual host, whatever protocol their members speak: members join,
 * the coordinator picks a leader and a protocol every member offers, the leader computes the
 * assignment and hands it back through a sync, and heartbeats keep members in. A member that
 * joins, leaves or misses its session timeout starts a rebalance. Members with a static instance
 * id keep their place across restarts of the client: one joining again under the same instance id
 * replaces the old member without a rebalance. Assignments and protocol metadata are opaque
 * bytes; what they mean is the clients' affair. Committed offsets are not here but in
 * {@link io.wharf.core.stream.GroupOffsets}.
 *
 * <p>Threading: the groups belong to one {@link SerialExecutor}. Every change is a
 * {@link GroupCommand} applied there, one at a time; the coordinator's timer decides from its
 * clock which members expired and which join rounds ran out, and applies that as commands too.
 * After each command the group is published as an immutable {@link GroupView} that any thread
 * may read. Members waiting for a join round or an assignment are answered by futures completed
 * once the command that answers them has been applied.
 */
public final class GroupCoordinator implements AutoCloseable {

    // How often the owner checks session timeouts and join rounds against its clock.
    private static final long TICK_MS = 200;

    private final SerialExecutor owner;
    private final Clock clock;
    // Owned by the owner executor.
    private final Groups state;
    // Published by the owner after each command, for readers on any thread.
    private final Map<String, GroupView> published = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> ticker;

    /**
     * @param pool   the threads the owner runs on
     * @param timers wakes the owner to check session timeouts and join rounds
     * @param clock  the time commands record and timeouts are measured in
     */
    public GroupCoordinator(String vhost, Executor pool, ScheduledExecutorService timers, Clock clock) {
        this.owner = new SerialExecutor("consumer groups of " + vhost, pool, null);
        this.clock = clock;
        this.state = new Groups(vhost);
        this.ticker = timers.scheduleWithFixedDelay(() -> owner.execute(this::checkDeadlines), TICK_MS, TICK_MS,
                TimeUnit.MILLISECONDS);
    }

    public Optional<GroupView> group(String id) {
        return Optional.ofNullable(published.get(id));
    }

    public Collection<GroupView> groups() {
        return published.values();
    }

    // ---------------------------------------------------------------- requests: decide, then apply

    /** A member joins; the answer comes when the join round it started or joined ends. */
    public CompletableFuture<JoinResult> join(JoinRequest request) {
        String fresh = (request.clientId().isEmpty() ? "member" : request.clientId()) + "-" + UUID.randomUUID();
        return owner.submit(() -> applied(new Join(request, fresh, clock.millis()), state::join));
    }

    /** A member of the new generation asks for its assignment; the leader's sync brings everyone's. */
    public CompletableFuture<SyncResult> sync(String groupId, String memberId, int generation, String instanceId,
                                              Map<String, byte[]> assignments) {
        return owner.submit(() -> applied(new Sync(groupId, memberId, generation, instanceId, assignments, clock.millis()),
                state::sync));
    }

    public CompletableFuture<GroupError> heartbeat(String groupId, String memberId, int generation, String instanceId) {
        return owner.submit(() -> applied(new Heartbeat(groupId, memberId, generation, instanceId, clock.millis()),
                state::heartbeat));
    }

    /** Members leave; each gets its own answer (an unknown one {@link GroupError#UNKNOWN_MEMBER_ID}). */
    public CompletableFuture<Map<MemberRef, GroupError>> leave(String groupId, List<MemberRef> members) {
        return owner.submit(() -> applied(new Leave(groupId, members, clock.millis()), state::leave));
    }

    /** Deletes an empty group's membership; false if it still has members. */
    public CompletableFuture<Boolean> deleteIfEmpty(String groupId) {
        return owner.submit(() -> applied(new Delete(groupId, clock.millis()), state::delete));
    }

    /**
     * Whether a member may commit offsets for the group now. A commit without member and
     * generation comes from outside group management and is always allowed.
     */
    public CompletableFuture<GroupError> commitAllowed(String groupId, String memberId, int generation, String instanceId) {
        return owner.submit(() -> done(state.commitAllowed(groupId, memberId, generation, instanceId)));
    }

    /** Checks session timeouts and join rounds against the clock now, rather than at the next tick. */
    public CompletableFuture<Void> checkTimeouts() {
        return owner.submit(() -> {
            checkDeadlines();
            return done(null);
        });
    }

    @Override
    public void close() {
        ticker.cancel(false);
    }

    /**
     * Applies a command made elsewhere (by another coordinator, or read back from a log); the
     * future is the answer a member waiting on it gets.
     */
    public CompletableFuture<Object> apply(GroupCommand command) {
        return owner.submit(() -> applied(command, state::apply).thenApply(Object.class::cast));
    }

    /** Applies one command on the owner, publishes its group, then answers the members it answered. */
    private <C extends GroupCommand, T> CompletableFuture<T> applied(C command, Function<C, CompletableFuture<T>> change) {
        assert owner.inExecutor() : "consumer groups are changed on their owner only";
        try {
            return change.apply(command);
        } finally {
            state.view(command.groupId()).ifPresentOrElse(v -> published.put(v.id(), v), () -> published.remove(command.groupId()));
            state.takeReplies().forEach(Runnable::run);
        }
    }

    /** Decides from the clock which join rounds ran out and which members expired, and applies that. */
    private void checkDeadlines() {
        long now = clock.millis();
        state.roundsEndedAt(now).forEach(c -> applied(c, state::endJoinRound));
        state.expiredAt(now).forEach(c -> applied(c, state::expire));
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
