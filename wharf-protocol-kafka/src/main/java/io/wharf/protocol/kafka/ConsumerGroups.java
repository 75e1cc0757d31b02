package io.wharf.protocol.kafka;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Kafka's classic consumer group protocol: members join, the coordinator picks a leader and a
 * common assignment protocol, the leader computes the assignment and hands it back through
 * SyncGroup, and heartbeats keep members in. A member that joins, leaves or misses its session
 * timeout starts a rebalance. Members with a {@code group.instance.id} (static membership) keep
 * their place across restarts of the client: rejoining under the same instance id replaces the
 * old member without a rebalance.
 *
 * <p>Threading: the groups belong to one thread, the endpoint's timer thread, which also runs
 * their rebalance and session timers: every request is a command run there, one at a time, and
 * no lock guards a group. After each command the group is published as an immutable
 * {@link GroupView}, which DescribeGroups, ListGroups and the HTTP API read from any thread.
 */
final class ConsumerGroups {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroups.class);

    enum State {
        EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
        STABLE("Stable"), DEAD("Dead");

        private final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }

        /** The state as Kafka names it in DescribeGroups and ListGroups. */
        String kafkaName() {
            return kafkaName;
        }
    }

    static final class Member {
        final String memberId;
        final String instanceId;
        final String clientId;
        final String clientHost;
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        String protocolType;
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        byte[] assignment = new byte[0];
        CompletableFuture<JoinGroupResponseData> join;
        CompletableFuture<SyncGroupResponseData> sync;
        long lastSeenNanos = System.nanoTime();

        Member(String memberId, String instanceId, String clientId, String clientHost) {
            this.memberId = memberId;
            this.instanceId = instanceId;
            this.clientId = clientId;
            this.clientHost = clientHost;
        }
    }

    static final class Group {
        final String id;
        State state = State.EMPTY;
        int generation;
        String protocolType;
        String protocol;
        String leader;
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final Map<String, String> staticMembers = new HashMap<>();
        ScheduledFuture<?> rebalanceTimer;

        Group(String id) {
            this.id = id;
        }
    }

    /** A member as last published: what DescribeGroups shows of it. */
    record MemberView(String memberId, String instanceId, String clientId, String clientHost, byte[] metadata, byte[] assignment) {
    }

    /** A group as last published by its owner. */
    record GroupView(String id, State state, String protocolType, String protocol, int generation, List<MemberView> members) {
    }

    // Owned by the timer thread.
    private final Map<String, Group> groups = new HashMap<>();
    // Published by the timer thread after each command, for readers on any thread.
    private final Map<String, GroupView> published = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;

    /** @param timers a single thread: it owns the groups */
    ConsumerGroups(ScheduledExecutorService timers) {
        this.timers = timers;
        timers.scheduleWithFixedDelay(this::expireSessions, 500, 500, TimeUnit.MILLISECONDS);
    }

    Optional<GroupView> group(String id) {
        return Optional.ofNullable(published.get(id));
    }

    Collection<GroupView> groups() {
        return published.values();
    }

    /** Runs a command on the owner, then publishes the group it named. */
    private <T> CompletableFuture<T> command(String groupId, Supplier<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.get();
            } finally {
                publish(groupId);
            }
        }, timers);
    }

    private void publish(String id) {
        Group g = groups.get(id);
        if (g == null) {
            published.remove(id);
            return;
        }
        List<MemberView> members = new ArrayList<>(g.members.size());
        for (Member m : g.members.values()) {
            members.add(new MemberView(m.memberId, m.instanceId, m.clientId, m.clientHost,
                    g.protocol == null ? new byte[0] : m.protocols.getOrDefault(g.protocol, new byte[0]), m.assignment));
        }
        published.put(id, new GroupView(g.id, g.state, g.protocolType, g.protocol, g.generation, List.copyOf(members)));
    }

    // ---------------------------------------------------------------- join

    CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData r, short version, String clientId, String clientHost) {
        return command(r.groupId(), () -> {
            Group g = groups.computeIfAbsent(r.groupId(), Group::new);
            List<Runnable> after = new ArrayList<>();
            CompletableFuture<JoinGroupResponseData> result = joinLocked(g, r, version, clientId, clientHost, after);
            after.forEach(Runnable::run);
            return result;
        }).thenCompose(f -> f);
    }

    private CompletableFuture<JoinGroupResponseData> joinLocked(Group g, JoinGroupRequestData r, short version, String clientId,
                                                                String clientHost, List<Runnable> after) {
        if (g.state == State.DEAD) {
            return done(joinError(Errors.COORDINATOR_NOT_AVAILABLE, r.memberId()));
        }
        if (g.protocolType != null && !g.members.isEmpty() && !g.protocolType.equals(r.protocolType())) {
            return done(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, r.memberId()));
        }
        if (r.protocols().isEmpty()) {
            return done(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, r.memberId()));
        }
        String instanceId = r.groupInstanceId();
        String memberId = r.memberId();
        if (memberId.isEmpty()) {
            String fresh = (clientId.isEmpty() ? "member" : clientId) + "-" + UUID.randomUUID();
            if (instanceId != null) {
                String old = g.staticMembers.get(instanceId);
                Member prev = old == null ? null : g.members.get(old);
                if (prev != null && g.state == State.STABLE && sameProtocols(prev, r)) {
                    // A static member back after a restart: it takes over its old place and assignment, no rebalance.
                    Member m = replace(g, prev, fresh, clientId, clientHost);
                    m.sessionTimeoutMs = r.sessionTimeoutMs();
                    m.rebalanceTimeoutMs = r.rebalanceTimeoutMs() > 0 ? r.rebalanceTimeoutMs() : r.sessionTimeoutMs();
                    if (g.leader.equals(old)) {
                        g.leader = fresh;
                    }
                    return done(joinResponse(g, m, false));
                }
                if (prev != null) {
                    Member m = replace(g, prev, fresh, clientId, clientHost);
                    if (old.equals(g.leader)) {
                        g.leader = fresh;
                    }
                    return addOrUpdate(g, m, r, after);
                }
            } else if (version >= 4) {
                // Since version 4 a new member first learns its id, then joins with it.
                return done(joinError(Errors.MEMBER_ID_REQUIRED, fresh));
            }
            Member m = new Member(fresh, instanceId, clientId, clientHost);
            if (instanceId != null) {
                g.staticMembers.put(instanceId, fresh);
            }
            return addOrUpdate(g, m, r, after);
        }
        Member m = g.members.get(memberId);
        if (m == null) {
            if (version >= 4 && instanceId == null) {
                // The id handed out with MEMBER_ID_REQUIRED: the member joins now.
                m = new Member(memberId, null, clientId, clientHost);
                return addOrUpdate(g, m, r, after);
            }
            return done(joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        if (instanceId != null && !memberId.equals(g.staticMembers.get(instanceId))) {
            return done(joinError(Errors.FENCED_INSTANCE_ID, memberId));
        }
        if (g.state == State.STABLE && sameProtocols(m, r) && !memberId.equals(g.leader)) {
            // A follower rejoining with nothing changed needs no rebalance.
            return done(joinResponse(g, m, false));
        }
        return addOrUpdate(g, m, r, after);
    }

    private static Member replace(Group g, Member prev, String freshId, String clientId, String clientHost) {
        Member m = new Member(freshId, prev.instanceId, clientId, clientHost);
        m.protocolType = prev.protocolType;
        m.protocols = prev.protocols;
        m.assignment = prev.assignment;
        m.sessionTimeoutMs = prev.sessionTimeoutMs;
        m.rebalanceTimeoutMs = prev.rebalanceTimeoutMs;
        g.members.remove(prev.memberId);
        g.members.put(freshId, m);
        g.staticMembers.put(prev.instanceId, freshId);
        if (prev.join != null) {
            CompletableFuture<JoinGroupResponseData> j = prev.join;
            j.complete(joinError(Errors.FENCED_INSTANCE_ID, prev.memberId));
        }
        if (prev.sync != null) {
            prev.sync.complete(syncError(Errors.FENCED_INSTANCE_ID));
        }
        return m;
    }

    private static boolean sameProtocols(Member m, JoinGroupRequestData r) {
        if (m.protocols.size() != r.protocols().size()) {
            return false;
        }
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : r.protocols()) {
            byte[] mine = m.protocols.get(p.name());
            if (mine == null || !java.util.Arrays.equals(mine, p.metadata())) {
                return false;
            }
        }
        return true;
    }

    private CompletableFuture<JoinGroupResponseData> addOrUpdate(Group g, Member m, JoinGroupRequestData r, List<Runnable> after) {
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs() > 0 ? r.rebalanceTimeoutMs() : r.sessionTimeoutMs();
        m.protocolType = r.protocolType();
        m.protocols = new LinkedHashMap<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : r.protocols()) {
            m.protocols.put(p.name(), p.metadata());
        }
        m.lastSeenNanos = System.nanoTime();
        g.members.put(m.memberId, m);
        g.protocolType = r.protocolType();
        if (m.join != null && !m.join.isDone()) {
            // The same member joined again before the round ended: the older request is answered as superseded.
            CompletableFuture<JoinGroupResponseData> stale = m.join;
            after.add(() -> stale.complete(joinError(Errors.REBALANCE_IN_PROGRESS, m.memberId)));
        }
        m.join = new CompletableFuture<>();
        CompletableFuture<JoinGroupResponseData> mine = m.join;
        prepareRebalance(g, after);
        maybeCompleteJoin(g, after);
        return mine;
    }

    private void prepareRebalance(Group g, List<Runnable> after) {
        if (g.state == State.COMPLETING_REBALANCE) {
            // Members waiting for their assignment must rejoin.
            for (Member m : g.members.values()) {
                if (m.sync != null) {
                    CompletableFuture<SyncGroupResponseData> s = m.sync;
                    m.sync = null;
                    after.add(() -> s.complete(syncError(Errors.REBALANCE_IN_PROGRESS)));
                }
            }
        }
        if (g.state != State.PREPARING_REBALANCE) {
            g.state = State.PREPARING_REBALANCE;
            int timeout = g.members.values().stream().mapToInt(x -> x.rebalanceTimeoutMs).max().orElse(0);
            g.rebalanceTimer = timers.schedule(() -> rebalanceTimedOut(g), Math.max(timeout, 1), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs on the owner, as every timer does. */
    private void rebalanceTimedOut(Group g) {
        if (g.state != State.PREPARING_REBALANCE) {
            return;
        }
        List<Runnable> after = new ArrayList<>();
        // Members that did not rejoin in time are out.
        g.members.values().removeIf(m -> {
            boolean out = m.join == null;
            if (out && m.instanceId != null) {
                g.staticMembers.remove(m.instanceId);
            }
            return out;
        });
        completeJoin(g, after);
        publish(g.id);
        after.forEach(Runnable::run);
    }

    private void maybeCompleteJoin(Group g, List<Runnable> after) {
        if (g.state == State.PREPARING_REBALANCE && g.members.values().stream().allMatch(m -> m.join != null)) {
            completeJoin(g, after);
        }
    }

    private void completeJoin(Group g, List<Runnable> after) {
        if (g.rebalanceTimer != null) {
            g.rebalanceTimer.cancel(false);
            g.rebalanceTimer = null;
        }
        if (g.members.isEmpty()) {
            g.state = State.EMPTY;
            g.generation++;
            g.protocol = null;
            g.leader = null;
            return;
        }
        g.generation++;
        g.protocol = chooseProtocol(g);
        if (g.leader == null || !g.members.containsKey(g.leader)) {
            g.leader = g.members.keySet().iterator().next();
        }
        g.state = State.COMPLETING_REBALANCE;
        for (Member m : g.members.values()) {
            CompletableFuture<JoinGroupResponseData> j = m.join;
            m.join = null;
            m.assignment = new byte[0];
            JoinGroupResponseData response = joinResponse(g, m, true);
            after.add(() -> j.complete(response));
        }
        LOG.info("Kafka group '{}': generation {} with {} member(s), protocol {}", g.id, g.generation, g.members.size(), g.protocol);
    }

    private static String chooseProtocol(Group g) {
        Member leaderOrFirst = g.members.getOrDefault(g.leader, g.members.values().iterator().next());
        for (String candidate : leaderOrFirst.protocols.keySet()) {
            if (g.members.values().stream().allMatch(m -> m.protocols.containsKey(candidate))) {
                return candidate;
            }
        }
        return leaderOrFirst.protocols.keySet().iterator().next();
    }

    private static JoinGroupResponseData joinResponse(Group g, Member m, boolean withMembers) {
        JoinGroupResponseData out = new JoinGroupResponseData().setGenerationId(g.generation).setProtocolType(g.protocolType)
                .setProtocolName(g.protocol).setLeader(g.leader).setMemberId(m.memberId).setSkipAssignment(false);
        if (withMembers && m.memberId.equals(g.leader)) {
            for (Member each : g.members.values()) {
                out.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(each.memberId)
                        .setGroupInstanceId(each.instanceId).setMetadata(each.protocols.get(g.protocol)));
            }
        }
        return out;
    }

    private static JoinGroupResponseData joinError(Errors e, String memberId) {
        return new JoinGroupResponseData().setErrorCode(e.code()).setGenerationId(-1).setMemberId(memberId)
                .setLeader("").setProtocolName(null);
    }

    // ---------------------------------------------------------------- sync

    CompletableFuture<SyncGroupResponseData> sync(SyncGroupRequestData r) {
        return command(r.groupId(), () -> {
            Group g = groups.get(r.groupId());
            if (g == null) {
                return done(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
            Member m = g.members.get(r.memberId());
            Errors check = check(g, m, r.generationId(), r.groupInstanceId());
            if (check != Errors.NONE) {
                return done(syncError(check));
            } else if (g.state == State.PREPARING_REBALANCE) {
                return done(syncError(Errors.REBALANCE_IN_PROGRESS));
            } else if (g.state == State.STABLE) {
                return done(syncOk(g, m));
            }
            m.lastSeenNanos = System.nanoTime();
            m.sync = new CompletableFuture<>();
            CompletableFuture<SyncGroupResponseData> result = m.sync;
            if (m.memberId.equals(g.leader)) {
                for (SyncGroupRequestData.SyncGroupRequestAssignment a : r.assignments()) {
                    Member target = g.members.get(a.memberId());
                    if (target != null) {
                        target.assignment = a.assignment();
                    }
                }
                g.state = State.STABLE;
                for (Member each : g.members.values()) {
                    if (each.sync != null) {
                        CompletableFuture<SyncGroupResponseData> s = each.sync;
                        each.sync = null;
                        s.complete(syncOk(g, each));
                    }
                }
            }
            return result;
        }).thenCompose(f -> f);
    }

    private static SyncGroupResponseData syncOk(Group g, Member m) {
        return new SyncGroupResponseData().setProtocolType(g.protocolType).setProtocolName(g.protocol).setAssignment(m.assignment);
    }

    private static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]);
    }

    // ---------------------------------------------------------------- heartbeat and leave

    CompletableFuture<Errors> heartbeat(String groupId, String memberId, int generation, String instanceId) {
        return command(groupId, () -> {
            Group g = groups.get(groupId);
            if (g == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            Member m = g.members.get(memberId);
            Errors check = check(g, m, generation, instanceId);
            if (check != Errors.NONE) {
                return check;
            }
            m.lastSeenNanos = System.nanoTime();
            return g.state == State.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        });
    }

    /**
     * Whether a member may commit offsets for the group now. A commit without member and
     * generation comes from outside group management and is always allowed.
     */
    CompletableFuture<Errors> commitAllowed(String groupId, String memberId, int generation, String instanceId) {
        if (generation < 0 && (memberId == null || memberId.isEmpty())) {
            return done(Errors.NONE);
        }
        // A member of a managed group commits: it must still be in the generation it names.
        return command(groupId, () -> {
            Group g = groups.get(groupId);
            if (g == null) {
                return generation >= 0 ? Errors.ILLEGAL_GENERATION : Errors.NONE;
            }
            Errors e = check(g, g.members.get(memberId), generation, instanceId);
            // While a rebalance is prepared, members still commit in their generation (as they give up
            // partitions); once it completes they have a new generation but no assignment yet.
            if (e == Errors.NONE && g.state == State.COMPLETING_REBALANCE) {
                return Errors.REBALANCE_IN_PROGRESS;
            }
            return e;
        });
    }

    /** Whether a member may act on the group in {@code generation}; -1 skips the generation check. */
    static Errors check(Group g, Member m, int generation, String instanceId) {
        if (m == null) {
            return instanceId != null && g.staticMembers.containsKey(instanceId) ? Errors.FENCED_INSTANCE_ID : Errors.UNKNOWN_MEMBER_ID;
        }
        if (instanceId != null && m.instanceId != null && !instanceId.equals(m.instanceId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (generation >= 0 && generation != g.generation) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    /** Removes members; an unknown one is reported, the others leave and the group rebalances. */
    CompletableFuture<Map<String, Errors>> leave(String groupId, List<String[]> memberAndInstance) {
        return command(groupId, () -> {
            Map<String, Errors> out = new LinkedHashMap<>();
            Group g = groups.get(groupId);
            if (g == null) {
                memberAndInstance.forEach(mi -> out.put(key(mi), Errors.UNKNOWN_MEMBER_ID));
                return out;
            }
            List<Runnable> after = new ArrayList<>();
            for (String[] mi : memberAndInstance) {
                String memberId = mi[0];
                String instanceId = mi[1];
                if ((memberId == null || memberId.isEmpty()) && instanceId != null) {
                    memberId = g.staticMembers.get(instanceId);
                }
                Member m = memberId == null ? null : g.members.get(memberId);
                if (m == null) {
                    out.put(key(mi), Errors.UNKNOWN_MEMBER_ID);
                    continue;
                }
                remove(g, m, after);
                out.put(key(mi), Errors.NONE);
            }
            after.forEach(Runnable::run);
            return out;
        });
    }

    private static String key(String[] mi) {
        return mi[0] + "/" + mi[1];
    }

    private void remove(Group g, Member m, List<Runnable> after) {
        g.members.remove(m.memberId);
        if (m.instanceId != null) {
            g.staticMembers.remove(m.instanceId, m.memberId);
        }
        if (m.join != null) {
            CompletableFuture<JoinGroupResponseData> j = m.join;
            after.add(() -> j.complete(joinError(Errors.UNKNOWN_MEMBER_ID, m.memberId)));
        }
        if (m.sync != null) {
            CompletableFuture<SyncGroupResponseData> s = m.sync;
            after.add(() -> s.complete(syncError(Errors.UNKNOWN_MEMBER_ID)));
        }
        if (g.members.isEmpty() && g.state != State.PREPARING_REBALANCE) {
            g.state = State.EMPTY;
            g.generation++;
            g.leader = null;
            g.protocol = null;
            return;
        }
        prepareRebalance(g, after);
        maybeCompleteJoin(g, after);
    }

    /** Runs on the owner, as every timer does. */
    private void expireSessions() {
        long now = System.nanoTime();
        for (Group g : List.copyOf(groups.values())) {
            List<Runnable> after = new ArrayList<>();
            boolean changed = false;
            for (Member m : List.copyOf(g.members.values())) {
                // A member waiting in a join round is alive: its request is the heartbeat.
                if (m.join == null && now - m.lastSeenNanos > TimeUnit.MILLISECONDS.toNanos(m.sessionTimeoutMs)) {
                    LOG.info("Kafka group '{}': member {} missed its session timeout of {} ms", g.id, m.memberId, m.sessionTimeoutMs);
                    remove(g, m, after);
                    changed = true;
                }
            }
            if (changed) {
                publish(g.id);
            }
            after.forEach(Runnable::run);
        }
    }

    /** Deletes an empty group's membership record; false if it still has members. */
    CompletableFuture<Boolean> deleteIfEmpty(String groupId) {
        return command(groupId, () -> {
            Group g = groups.get(groupId);
            if (g == null) {
                return true;
            }
            if (!g.members.isEmpty()) {
                return false;
            }
            g.state = State.DEAD;
            groups.remove(groupId);
            return true;
        });
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
