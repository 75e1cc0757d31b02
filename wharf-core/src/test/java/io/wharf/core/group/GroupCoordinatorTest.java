package io.wharf.core.group;

import io.wharf.core.group.GroupCommand.Join;
import io.wharf.core.group.GroupCommand.JoinRequest;
import io.wharf.core.group.GroupCommand.MemberRef;
import io.wharf.core.group.GroupCommand.Protocol;
import io.wharf.storage.log.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator on its own, with a clock the test moves: no test here waits for time to pass.
 */
class GroupCoordinatorTest {

    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;
    // The generation stableGroupOfTwo leaves its group in.
    private static final int GEN = 2;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final MutableClock clock = new MutableClock(1_000_000);
    private final List<GroupCoordinator> coordinators = new ArrayList<>();

    @AfterEach
    void stop() {
        coordinators.forEach(GroupCoordinator::close);
        timers.shutdownNow();
        pool.shutdownNow();
    }

    private GroupCoordinator coordinator() {
        GroupCoordinator c = new GroupCoordinator("test", pool, timers, clock);
        coordinators.add(c);
        return c;
    }

    private static JoinRequest join(String memberId, String instanceId, String... protocols) {
        List<Protocol> offered = new ArrayList<>();
        for (String p : protocols) {
            offered.add(new Protocol(p, (p + "-metadata").getBytes(StandardCharsets.UTF_8)));
        }
        return new JoinRequest("g", memberId, instanceId, "client", "/127.0.0.1", "consumer", offered, SESSION_MS, REBALANCE_MS,
                false);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Two members form a group as Kafka consumers do: the first forms generation 1 alone, the
     * second's join starts a round the first learns of by its heartbeat and joins, and the
     * leader of generation 2 assigns both.
     */
    private String[] stableGroupOfTwo(GroupCoordinator groups) throws Exception {
        JoinResult alone = get(groups.join(join("", null, "range", "roundrobin")));
        assertThat(alone.generation()).isEqualTo(1);
        assertThat(alone.leader()).isEqualTo(alone.memberId());
        get(groups.sync("g", alone.memberId(), 1, null, Map.of(alone.memberId(), bytes("all"))));

        CompletableFuture<JoinResult> b = groups.join(join("", null, "roundrobin", "range"));
        assertThat(get(groups.heartbeat("g", alone.memberId(), 1, null))).isEqualTo(GroupError.REBALANCE_IN_PROGRESS);
        assertThat(b).isNotDone();
        JoinResult ja = get(groups.join(join(alone.memberId(), null, "range", "roundrobin")));
        JoinResult jb = get(b);
        assertThat(ja.generation()).isEqualTo(GEN).isEqualTo(jb.generation());
        // The leader's preference decides among the protocols every member offers.
        assertThat(ja.protocol()).isEqualTo("range");
        assertThat(ja.leader()).isEqualTo(ja.memberId());
        assertThat(ja.members()).extracting(JoinResult.JoinedMember::memberId).containsExactly(ja.memberId(), jb.memberId());
        assertThat(jb.members()).isEmpty();
        assertThat(groups.group("g")).get().extracting(GroupView::state).isEqualTo(GroupState.COMPLETING_REBALANCE);

        CompletableFuture<SyncResult> followerSync = groups.sync("g", jb.memberId(), GEN, null, Map.of());
        SyncResult leaderSync = get(groups.sync("g", ja.memberId(), GEN, null,
                Map.of(ja.memberId(), bytes("p0"), jb.memberId(), bytes("p1"))));
        assertThat(leaderSync.assignment()).asString(StandardCharsets.UTF_8).isEqualTo("p0");
        assertThat(get(followerSync).assignment()).asString(StandardCharsets.UTF_8).isEqualTo("p1");
        assertThat(groups.group("g")).get().extracting(GroupView::state).isEqualTo(GroupState.STABLE);
        return new String[] {ja.memberId(), jb.memberId()};
    }

    @Test
    void shouldFormAGroupWhoseLeaderAssignsEveryMember() throws Exception {
        GroupCoordinator groups = coordinator();
        String[] members = stableGroupOfTwo(groups);

        GroupView view = groups.group("g").orElseThrow();
        assertThat(view.generation()).isEqualTo(GEN);
        assertThat(view.protocol()).isEqualTo("range");
        assertThat(view.members()).extracting(GroupView.Member::memberId).containsExactly(members);
        assertThat(get(groups.heartbeat("g", members[1], GEN, null))).isEqualTo(GroupError.NONE);
        assertThat(get(groups.heartbeat("g", members[1], GEN - 1, null))).isEqualTo(GroupError.ILLEGAL_GENERATION);
        assertThat(get(groups.heartbeat("g", "stranger", GEN, null))).isEqualTo(GroupError.UNKNOWN_MEMBER_ID);
        assertThat(get(groups.commitAllowed("g", members[0], GEN, null))).isEqualTo(GroupError.NONE);
        assertThat(get(groups.commitAllowed("g", "", -1, null))).isEqualTo(GroupError.NONE);
    }

    @Test
    void shouldHandANewMemberItsIdFirstWhenTheProtocolAsksForThat() throws Exception {
        GroupCoordinator groups = coordinator();
        JoinRequest first = new JoinRequest("g", "", null, "client", "/127.0.0.1", "consumer",
                List.of(new Protocol("range", bytes("m"))), SESSION_MS, REBALANCE_MS, true);

        JoinResult refused = get(groups.join(first));
        assertThat(refused.error()).isEqualTo(GroupError.MEMBER_ID_REQUIRED);
        assertThat(refused.memberId()).startsWith("client-");

        JoinRequest again = new JoinRequest("g", refused.memberId(), null, "client", "/127.0.0.1", "consumer",
                List.of(new Protocol("range", bytes("m"))), SESSION_MS, REBALANCE_MS, true);
        JoinResult joined = get(groups.join(again));
        assertThat(joined.error()).isEqualTo(GroupError.NONE);
        assertThat(joined.leader()).isEqualTo(refused.memberId());
    }

    @Test
    void shouldRemoveAMemberThatMissesItsSessionTimeoutAndRebalanceTheRest() throws Exception {
        GroupCoordinator groups = coordinator();
        String[] members = stableGroupOfTwo(groups);

        clock.advance(SESSION_MS / 2);
        assertThat(get(groups.heartbeat("g", members[0], GEN, null))).isEqualTo(GroupError.NONE);
        clock.advance(SESSION_MS / 2 + 1);
        get(groups.checkTimeouts());

        GroupView view = groups.group("g").orElseThrow();
        assertThat(view.members()).extracting(GroupView.Member::memberId).containsExactly(members[0]);
        assertThat(view.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(get(groups.heartbeat("g", members[0], GEN, null))).isEqualTo(GroupError.REBALANCE_IN_PROGRESS);
        assertThat(get(groups.heartbeat("g", members[1], GEN, null))).isEqualTo(GroupError.UNKNOWN_MEMBER_ID);

        JoinResult rejoined = get(groups.join(join(members[0], null, "range")));
        assertThat(rejoined.generation()).isEqualTo(GEN + 1);
        assertThat(rejoined.members()).extracting(JoinResult.JoinedMember::memberId).containsExactly(members[0]);
    }

    @Test
    void shouldEndAJoinRoundAtItsRebalanceTimeoutWithoutTheMembersThatDidNotJoinAgain() throws Exception {
        GroupCoordinator groups = coordinator();
        String[] members = stableGroupOfTwo(groups);

        // A third member starts a round; of the two old ones only the first joins again.
        CompletableFuture<JoinResult> newcomer = groups.join(join("", null, "range"));
        CompletableFuture<JoinResult> first = groups.join(join(members[0], null, "range", "roundrobin"));
        get(groups.checkTimeouts());
        assertThat(newcomer).isNotDone();

        // The silent member keeps heartbeating, so only the round's timeout can settle it.
        for (int step = 0; step < 5; step++) {
            clock.advance(REBALANCE_MS / 6);
            assertThat(get(groups.heartbeat("g", members[1], GEN, null))).isEqualTo(GroupError.REBALANCE_IN_PROGRESS);
        }
        clock.advance(REBALANCE_MS - 5 * (REBALANCE_MS / 6) - 1);
        assertThat(get(groups.heartbeat("g", members[1], GEN, null))).isEqualTo(GroupError.REBALANCE_IN_PROGRESS);
        get(groups.checkTimeouts());
        assertThat(newcomer).isNotDone();
        clock.advance(1);
        get(groups.checkTimeouts());

        JoinResult answered = get(first);
        assertThat(answered.generation()).isEqualTo(GEN + 1);
        assertThat(get(newcomer).generation()).isEqualTo(GEN + 1);
        assertThat(groups.group("g").orElseThrow().members()).extracting(GroupView.Member::memberId)
                .doesNotContain(members[1]).hasSize(2);
    }

    @Test
    void shouldLetAStaticMemberComeBackToItsPlaceWithoutARebalance() throws Exception {
        GroupCoordinator groups = coordinator();
        JoinResult joined = get(groups.join(join("", "instance-1", "range")));
        get(groups.sync("g", joined.memberId(), 1, "instance-1", Map.of(joined.memberId(), bytes("p0"))));

        // The client restarts: it joins with no member id but the same instance id and protocols.
        JoinResult back = get(groups.join(join("", "instance-1", "range")));

        assertThat(back.memberId()).isNotEqualTo(joined.memberId());
        assertThat(back.generation()).isEqualTo(1);
        assertThat(groups.group("g").orElseThrow().state()).isEqualTo(GroupState.STABLE);
        assertThat(get(groups.sync("g", back.memberId(), 1, "instance-1", Map.of())).assignment())
                .asString(StandardCharsets.UTF_8).isEqualTo("p0");
        assertThat(get(groups.heartbeat("g", joined.memberId(), 1, "instance-1"))).isEqualTo(GroupError.FENCED_INSTANCE_ID);
    }

    @Test
    void shouldAnswerEachLeavingMemberAndRefuseToDeleteAGroupWithMembers() throws Exception {
        GroupCoordinator groups = coordinator();
        String[] members = stableGroupOfTwo(groups);
        assertThat(get(groups.deleteIfEmpty("g"))).isFalse();

        MemberRef gone = new MemberRef(members[0], null);
        MemberRef unknown = new MemberRef("stranger", null);
        Map<MemberRef, GroupError> left = get(groups.leave("g", List.of(gone, unknown)));
        assertThat(left).containsEntry(gone, GroupError.NONE).containsEntry(unknown, GroupError.UNKNOWN_MEMBER_ID);
        get(groups.leave("g", List.of(new MemberRef(members[1], null))));

        assertThat(groups.group("g").orElseThrow().state()).isEqualTo(GroupState.EMPTY);
        assertThat(get(groups.deleteIfEmpty("g"))).isTrue();
        assertThat(groups.group("g")).isEmpty();
    }

    /** The seam replication needs: the same commands in the same order give the same groups. */
    @Test
    void shouldReachTheSameGroupsFromTheSameCommands() throws Exception {
        long t = clock.millis();
        List<GroupCommand> commands = List.of(
                new Join(join("", null, "range"), "a", t),
                new Join(join("", "static-b", "range", "sticky"), "b", t + 1),
                new GroupCommand.Sync("g", "a", 1, null, Map.of("a", bytes("p0"), "b", bytes("p1")), t + 2),
                new GroupCommand.Heartbeat("g", "b", 1, "static-b", t + 3),
                new Join(join("", null, "range"), "c", t + 4),
                new GroupCommand.EndJoinRound("g", 1, t + 4 + REBALANCE_MS),
                new GroupCommand.Leave("h", List.of(new MemberRef("x", null)), t + 5),
                new GroupCommand.ExpireMembers("g", List.of("c"), t + 6));
        GroupCoordinator one = coordinator();
        GroupCoordinator two = coordinator();
        List<CompletableFuture<Object>> answersOne = new ArrayList<>();
        List<CompletableFuture<Object>> answersTwo = new ArrayList<>();
        for (GroupCommand c : commands) {
            answersOne.add(one.apply(c));
            answersTwo.add(two.apply(c));
        }
        List<Object> one1 = new ArrayList<>();
        List<Object> two1 = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            one1.add(get(answersOne.get(i)));
            two1.add(get(answersTwo.get(i)));
        }

        // a formed generation 1 alone; b and c joined a round a never came back to, which its timeout
        // ended without a; then c expired, and b waits in a new round.
        GroupView g = one.group("g").orElseThrow();
        assertThat(g.generation()).isEqualTo(2);
        assertThat(g.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(g.members()).extracting(GroupView.Member::memberId).containsExactly("b");
        assertThat(((JoinResult) one1.get(1)).generation()).isEqualTo(2);
        assertThat(((SyncResult) one1.get(2)).error()).isEqualTo(GroupError.REBALANCE_IN_PROGRESS);
        assertThat(two.group("g")).get().usingRecursiveComparison().isEqualTo(g);
        assertThat(two1).usingRecursiveComparison().isEqualTo(one1);
    }
}
