package io.wharf.core.group;

import io.wharf.core.group.GroupCommand.Delete;
import io.wharf.core.group.GroupCommand.EndJoinRound;
import io.wharf.core.group.GroupCommand.ExpireMembers;
import io.wharf.core.group.GroupCommand.Heartbeat;
import io.wharf.core.group.GroupCommand.Join;
import io.wharf.core.group.GroupCommand.JoinRequest;
import io.wharf.core.group.GroupCommand.Leave;
import io.wharf.core.group.GroupCommand.MemberRef;
import io.wharf.core.group.GroupCommand.Protocol;
import io.wharf.core.group.GroupCommand.Sync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The consumer groups of one virtual host as a state machine: it changes only by applying
 * {@link GroupCommand}s, and depends on nothing but the commands and the order they come in (time
 * is what each command records). The answers to members waiting in a join round or for their
 * assignment are futures, completed by the coordinator after the command that answers them.
 *
 * <p>Not thread-safe: it belongs to its {@link GroupCoordinator}'s owner.
 */
final class Groups {

    private static final Logger LOG = LoggerFactory.getLogger(Groups.class);

    private static final class Member {
        final String memberId;
        final String instanceId;
        final String clientId;
        final String clientHost;
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        byte[] assignment = new byte[0];
        long lastSeen;
        // Waiters, not state: the member's pending join (it joined this round) and pending sync.
        CompletableFuture<JoinResult> join;
        CompletableFuture<SyncResult> sync;

        Member(String memberId, String instanceId, String clientId, String clientHost) {
            this.memberId = memberId;
            this.instanceId = instanceId;
            this.clientId = clientId;
            this.clientHost = clientHost;
        }
    }

    private static final class Group {
        final String id;
        GroupState state = GroupState.EMPTY;
        int generation;
        String protocolType;
        String protocol;
        String leader;
        long roundDeadline;
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final Map<String, String> staticMembers = new HashMap<>();

        Group(String id) {
            this.id = id;
        }
    }

    private final String vhost;
    private final Map<String, Group> groups = new HashMap<>();
    private final List<Runnable> replies = new ArrayList<>();

    Groups(String vhost) {
        this.vhost = vhost;
    }

    CompletableFuture<?> apply(GroupCommand command) {
        return switch (command) {
            case Join c -> join(c);
            case GroupCommand.Sync c -> sync(c);
            case Heartbeat c -> heartbeat(c);
            case Leave c -> leave(c);
            case ExpireMembers c -> expire(c);
            case EndJoinRound c -> endJoinRound(c);
            case Delete c -> delete(c);
        };
    }

    /** The answers the last commands gave to waiting members, to complete once they are applied. */
    List<Runnable> takeReplies() {
        List<Runnable> out = List.copyOf(replies);
        replies.clear();
        return out;
    }

    /** Join rounds whose rebalance timeout has run out at {@code now}. */
    List<EndJoinRound> roundsEndedAt(long now) {
        List<EndJoinRound> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.state == GroupState.PREPARING_REBALANCE && now >= g.roundDeadline) {
                out.add(new EndJoinRound(g.id, g.generation, now));
            }
        }
        return out;
    }

    /** Members past their session timeout at {@code now}, by group. */
    List<ExpireMembers> expiredAt(long now) {
        List<ExpireMembers> out = new ArrayList<>();
        for (Group g : groups.values()) {
            List<String> expired = new ArrayList<>();
            for (Member m : g.members.values()) {
                // A member waiting in a join round is alive: its request is the heartbeat.
                if (m.join == null && now - m.lastSeen > m.sessionTimeoutMs) {
                    expired.add(m.memberId);
                }
            }
            if (!expired.isEmpty()) {
                out.add(new ExpireMembers(g.id, expired, now));
            }
        }
        return out;
    }

    /**
     * Whether a member may commit offsets for the group now. A commit without member and
     * generation comes from outside group management and is always allowed.
     */
    GroupError commitAllowed(String groupId, String memberId, int generation, String instanceId) {
        if (generation < 0 && (memberId == null || memberId.isEmpty())) {
            return GroupError.NONE;
        }
        Group g = groups.get(groupId);
        if (g == null) {
            return generation >= 0 ? GroupError.ILLEGAL_GENERATION : GroupError.NONE;
        }
        GroupError e = check(g, g.members.get(memberId), generation, instanceId);
        // While a rebalance is prepared, members still commit in their generation (as they give up
        // partitions); once it completes they have a new generation but no assignment yet.
        return e == GroupError.NONE && g.state == GroupState.COMPLETING_REBALANCE ? GroupError.REBALANCE_IN_PROGRESS : e;
    }

    CompletableFuture<JoinResult> join(Join c) {
        JoinRequest r = c.request();
        Group g = groups.computeIfAbsent(r.groupId(), Group::new);
        if (g.state == GroupState.DEAD) {
            return done(JoinResult.refused(GroupError.COORDINATOR_NOT_AVAILABLE, r.memberId()));
        }
        if (g.protocolType != null && !g.members.isEmpty() && !g.protocolType.equals(r.protocolType())
                || r.protocols().isEmpty()) {
            return done(JoinResult.refused(GroupError.INCONSISTENT_GROUP_PROTOCOL, r.memberId()));
        }
        return r.memberId().isEmpty() ? joinWithoutId(g, c) : joinAgain(g, c);
    }

    private CompletableFuture<JoinResult> joinWithoutId(Group g, Join c) {
        JoinRequest r = c.request();
        String fresh = c.newMemberId();
        String instanceId = r.instanceId();
        if (instanceId != null) {
            String old = g.staticMembers.get(instanceId);
            Member prev = old == null ? null : g.members.get(old);
            if (prev != null) {
                Member m = replace(g, prev, fresh, r.clientId(), r.clientHost());
                if (old.equals(g.leader)) {
                    g.leader = fresh;
                }
                if (g.state == GroupState.STABLE && sameProtocols(prev, r)) {
                    // A static member back after a restart: it takes its old place and assignment, no rebalance.
                    timeouts(m, r);
                    m.lastSeen = c.at();
                    return done(joinResult(g, m, false));
                }
                return addOrUpdate(g, m, c);
            }
        } else if (r.knownMemberIdRequired()) {
            // A new member first learns its id, then joins with it.
            return done(JoinResult.refused(GroupError.MEMBER_ID_REQUIRED, fresh));
        }
        Member m = new Member(fresh, instanceId, r.clientId(), r.clientHost());
        if (instanceId != null) {
            g.staticMembers.put(instanceId, fresh);
        }
        return addOrUpdate(g, m, c);
    }

    private CompletableFuture<JoinResult> joinAgain(Group g, Join c) {
        JoinRequest r = c.request();
        Member m = g.members.get(r.memberId());
        if (m == null) {
            if (r.knownMemberIdRequired() && r.instanceId() == null) {
                // The id handed out with MEMBER_ID_REQUIRED: the member joins now.
                return addOrUpdate(g, new Member(r.memberId(), null, r.clientId(), r.clientHost()), c);
            }
            return done(JoinResult.refused(GroupError.UNKNOWN_MEMBER_ID, r.memberId()));
        }
        if (r.instanceId() != null && !r.memberId().equals(g.staticMembers.get(r.instanceId()))) {
            return done(JoinResult.refused(GroupError.FENCED_INSTANCE_ID, r.memberId()));
        }
        if (g.state == GroupState.STABLE && sameProtocols(m, r) && !m.memberId.equals(g.leader)) {
            // A follower joining again with nothing changed needs no rebalance.
            m.lastSeen = c.at();
            return done(joinResult(g, m, false));
        }
        return addOrUpdate(g, m, c);
    }

    private Member replace(Group g, Member prev, String freshId, String clientId, String clientHost) {
        Member m = new Member(freshId, prev.instanceId, clientId, clientHost);
        m.protocols = prev.protocols;
        m.assignment = prev.assignment;
        m.sessionTimeoutMs = prev.sessionTimeoutMs;
        m.rebalanceTimeoutMs = prev.rebalanceTimeoutMs;
        m.lastSeen = prev.lastSeen;
        g.members.remove(prev.memberId);
        g.members.put(freshId, m);
        g.staticMembers.put(prev.instanceId, freshId);
        answerJoin(prev, JoinResult.refused(GroupError.FENCED_INSTANCE_ID, prev.memberId));
        answerSync(prev, SyncResult.refused(GroupError.FENCED_INSTANCE_ID));
        return m;
    }

    private static boolean sameProtocols(Member m, JoinRequest r) {
        if (m.protocols.size() != r.protocols().size()) {
            return false;
        }
        for (Protocol p : r.protocols()) {
            byte[] mine = m.protocols.get(p.name());
            if (mine == null || !Arrays.equals(mine, p.metadata())) {
                return false;
            }
        }
        return true;
    }

    private static void timeouts(Member m, JoinRequest r) {
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs() > 0 ? r.rebalanceTimeoutMs() : r.sessionTimeoutMs();
    }

    private CompletableFuture<JoinResult> addOrUpdate(Group g, Member m, Join c) {
        JoinRequest r = c.request();
        timeouts(m, r);
        m.protocols = new LinkedHashMap<>();
        for (Protocol p : r.protocols()) {
            m.protocols.put(p.name(), p.metadata());
        }
        m.lastSeen = c.at();
        g.members.put(m.memberId, m);
        g.protocolType = r.protocolType();
        // The same member joined again before the round ended: its older request is answered as superseded.
        answerJoin(m, JoinResult.refused(GroupError.REBALANCE_IN_PROGRESS, m.memberId));
        m.join = new CompletableFuture<>();
        CompletableFuture<JoinResult> mine = m.join;
        prepareRebalance(g, c.at());
        maybeCompleteJoin(g, c.at());
        return mine;
    }

    private void prepareRebalance(Group g, long at) {
        if (g.state == GroupState.COMPLETING_REBALANCE) {
            // Members waiting for their assignment must join again.
            for (Member m : g.members.values()) {
                answerSync(m, SyncResult.refused(GroupError.REBALANCE_IN_PROGRESS));
            }
        }
        if (g.state != GroupState.PREPARING_REBALANCE) {
            g.state = GroupState.PREPARING_REBALANCE;
            int timeout = g.members.values().stream().mapToInt(x -> x.rebalanceTimeoutMs).max().orElse(0);
            g.roundDeadline = at + Math.max(timeout, 1);
        }
    }

    private void maybeCompleteJoin(Group g, long at) {
        if (g.state == GroupState.PREPARING_REBALANCE && g.members.values().stream().allMatch(m -> m.join != null)) {
            completeJoin(g, at);
        }
    }

    private void completeJoin(Group g, long at) {
        g.generation++;
        if (g.members.isEmpty()) {
            g.state = GroupState.EMPTY;
            g.protocol = null;
            g.leader = null;
            return;
        }
        g.protocol = chooseProtocol(g);
        if (g.leader == null || !g.members.containsKey(g.leader)) {
            g.leader = g.members.keySet().iterator().next();
        }
        g.state = GroupState.COMPLETING_REBALANCE;
        for (Member m : g.members.values()) {
            m.assignment = new byte[0];
            // A member's session runs from the answer: the round may have outlasted its timeout.
            m.lastSeen = at;
            answerJoin(m, joinResult(g, m, true));
        }
        LOG.info("Consumer group '{}' of vhost '{}': generation {} with {} member(s), protocol {}", g.id, vhost, g.generation,
                g.members.size(), g.protocol);
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

    private static JoinResult joinResult(Group g, Member m, boolean withMembers) {
        List<JoinResult.JoinedMember> members = new ArrayList<>();
        if (withMembers && m.memberId.equals(g.leader)) {
            for (Member each : g.members.values()) {
                members.add(new JoinResult.JoinedMember(each.memberId, each.instanceId, each.protocols.get(g.protocol)));
            }
        }
        return new JoinResult(GroupError.NONE, g.generation, g.protocolType, g.protocol, g.leader, m.memberId, members);
    }

    CompletableFuture<SyncResult> sync(Sync c) {
        Group g = groups.get(c.groupId());
        if (g == null) {
            return done(SyncResult.refused(GroupError.UNKNOWN_MEMBER_ID));
        }
        Member m = g.members.get(c.memberId());
        GroupError check = check(g, m, c.generation(), c.instanceId());
        if (check != GroupError.NONE) {
            return done(SyncResult.refused(check));
        } else if (g.state == GroupState.PREPARING_REBALANCE) {
            return done(SyncResult.refused(GroupError.REBALANCE_IN_PROGRESS));
        } else if (g.state == GroupState.STABLE) {
            return done(syncResult(g, m));
        }
        m.lastSeen = c.at();
        m.sync = new CompletableFuture<>();
        CompletableFuture<SyncResult> result = m.sync;
        if (m.memberId.equals(g.leader)) {
            c.assignments().forEach((memberId, assignment) -> {
                Member target = g.members.get(memberId);
                if (target != null) {
                    target.assignment = assignment;
                }
            });
            g.state = GroupState.STABLE;
            for (Member each : g.members.values()) {
                if (each.sync != null) {
                    each.lastSeen = c.at();
                }
                answerSync(each, syncResult(g, each));
            }
        }
        return result;
    }

    private static SyncResult syncResult(Group g, Member m) {
        return new SyncResult(GroupError.NONE, g.protocolType, g.protocol, m.assignment);
    }

    CompletableFuture<GroupError> heartbeat(Heartbeat c) {
        Group g = groups.get(c.groupId());
        if (g == null) {
            return done(GroupError.UNKNOWN_MEMBER_ID);
        }
        Member m = g.members.get(c.memberId());
        GroupError check = check(g, m, c.generation(), c.instanceId());
        if (check != GroupError.NONE) {
            return done(check);
        }
        m.lastSeen = c.at();
        return done(g.state == GroupState.PREPARING_REBALANCE ? GroupError.REBALANCE_IN_PROGRESS : GroupError.NONE);
    }

    /** Whether a member may act on the group in {@code generation}; -1 skips the generation check. */
    private static GroupError check(Group g, Member m, int generation, String instanceId) {
        if (m == null) {
            return instanceId != null && g.staticMembers.containsKey(instanceId)
                    ? GroupError.FENCED_INSTANCE_ID : GroupError.UNKNOWN_MEMBER_ID;
        }
        if (instanceId != null && m.instanceId != null && !instanceId.equals(m.instanceId)) {
            return GroupError.FENCED_INSTANCE_ID;
        }
        if (generation >= 0 && generation != g.generation) {
            return GroupError.ILLEGAL_GENERATION;
        }
        return GroupError.NONE;
    }

    CompletableFuture<Map<MemberRef, GroupError>> leave(Leave c) {
        Map<MemberRef, GroupError> out = new LinkedHashMap<>();
        Group g = groups.get(c.groupId());
        for (MemberRef ref : c.members()) {
            String memberId = ref.memberId();
            if (g != null && (memberId == null || memberId.isEmpty()) && ref.instanceId() != null) {
                memberId = g.staticMembers.get(ref.instanceId());
            }
            Member m = g == null || memberId == null ? null : g.members.get(memberId);
            if (m == null) {
                out.put(ref, GroupError.UNKNOWN_MEMBER_ID);
            } else {
                remove(g, m, c.at());
                out.put(ref, GroupError.NONE);
            }
        }
        return done(out);
    }

    CompletableFuture<Void> expire(ExpireMembers c) {
        Group g = groups.get(c.groupId());
        for (String id : c.memberIds()) {
            Member m = g == null ? null : g.members.get(id);
            if (m != null) {
                LOG.info("Consumer group '{}' of vhost '{}': member {} missed its session timeout of {} ms", g.id, vhost, id,
                        m.sessionTimeoutMs);
                remove(g, m, c.at());
            }
        }
        return done(null);
    }

    CompletableFuture<Void> endJoinRound(EndJoinRound c) {
        Group g = groups.get(c.groupId());
        if (g == null || g.state != GroupState.PREPARING_REBALANCE || g.generation != c.generation()) {
            return done(null);
        }
        // Members that did not join again in time are out.
        g.members.values().removeIf(m -> {
            boolean out = m.join == null;
            if (out && m.instanceId != null) {
                g.staticMembers.remove(m.instanceId, m.memberId);
            }
            if (out) {
                answerSync(m, SyncResult.refused(GroupError.UNKNOWN_MEMBER_ID));
            }
            return out;
        });
        completeJoin(g, c.at());
        return done(null);
    }

    CompletableFuture<Boolean> delete(Delete c) {
        Group g = groups.get(c.groupId());
        if (g == null) {
            return done(true);
        }
        if (!g.members.isEmpty()) {
            return done(false);
        }
        g.state = GroupState.DEAD;
        groups.remove(c.groupId());
        return done(true);
    }

    private void remove(Group g, Member m, long at) {
        g.members.remove(m.memberId);
        if (m.instanceId != null) {
            g.staticMembers.remove(m.instanceId, m.memberId);
        }
        answerJoin(m, JoinResult.refused(GroupError.UNKNOWN_MEMBER_ID, m.memberId));
        answerSync(m, SyncResult.refused(GroupError.UNKNOWN_MEMBER_ID));
        if (g.members.isEmpty() && g.state != GroupState.PREPARING_REBALANCE) {
            g.state = GroupState.EMPTY;
            g.generation++;
            g.leader = null;
            g.protocol = null;
            return;
        }
        prepareRebalance(g, at);
        maybeCompleteJoin(g, at);
    }

    private void answerJoin(Member m, JoinResult answer) {
        CompletableFuture<JoinResult> waiting = m.join;
        m.join = null;
        if (waiting != null) {
            replies.add(() -> waiting.complete(answer));
        }
    }

    private void answerSync(Member m, SyncResult answer) {
        CompletableFuture<SyncResult> waiting = m.sync;
        m.sync = null;
        if (waiting != null) {
            replies.add(() -> waiting.complete(answer));
        }
    }

    /** The group as it stands now, as an immutable view; empty if there is none. */
    Optional<GroupView> view(String id) {
        Group g = groups.get(id);
        if (g == null) {
            return Optional.empty();
        }
        List<GroupView.Member> members = new ArrayList<>(g.members.size());
        for (Member m : g.members.values()) {
            byte[] metadata = g.protocol == null ? new byte[0] : m.protocols.getOrDefault(g.protocol, new byte[0]);
            members.add(new GroupView.Member(m.memberId, m.instanceId, m.clientId, m.clientHost, metadata, m.assignment));
        }
        return Optional.of(new GroupView(g.id, g.state, g.protocolType, g.protocol, g.generation, members));
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
