package io.wharf.cluster;

import io.wharf.core.cluster.CommandApplier;
import io.wharf.core.cluster.GroupStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three nodes in one JVM, each with its own Raft port and directory, forming a metadata group. */
class ClusterNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<ClusterMember> members = new ArrayList<>();
    private final Map<String, ClusterNode> running = new HashMap<>();
    private final Map<String, RecordingApplier> appliers = new HashMap<>();

    /**
     * Records the commands it is given and answers each with its index; while held, it leaves
     * their applies unfinished until released, as an owner that is busy does.
     */
    static final class RecordingApplier implements CommandApplier {
        final List<String> applied = new CopyOnWriteArrayList<>();
        final List<Runnable> heldBack = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        volatile long lastIndex;
        private final long durableIndex;

        RecordingApplier() {
            this(List.of(), 0);
        }

        /** One that kept {@code applied}, the commands up to {@code durableIndex}, as its own state. */
        RecordingApplier(List<String> applied, long durableIndex) {
            this.applied.addAll(applied);
            this.durableIndex = durableIndex;
            this.lastIndex = durableIndex;
        }

        @Override
        public long durableIndex() {
            return durableIndex;
        }

        @Override
        public CompletableFuture<byte[]> apply(long index, byte[] command) {
            CompletableFuture<byte[]> done = new CompletableFuture<>();
            Runnable apply = () -> {
                applied.add(new String(command, StandardCharsets.UTF_8));
                lastIndex = index;
                done.complete(("applied at " + index).getBytes(StandardCharsets.UTF_8));
            };
            if (new String(command, StandardCharsets.UTF_8).equals("fail")) {
                return CompletableFuture.failedFuture(new IllegalStateException("an applier with a bug"));
            }
            if (hold) {
                heldBack.add(apply);
            } else {
                apply.run();
            }
            return done;
        }

        void release() {
            hold = false;
            heldBack.forEach(Runnable::run);
        }
    }

    private void startCluster() throws IOException {
        for (int i = 1; i <= 3; i++) {
            members.add(new ClusterMember("n" + i, "127.0.0.1", freePort()));
        }
        for (ClusterMember m : members) {
            start(m);
        }
    }

    private ClusterNode start(ClusterMember m) throws IOException {
        return start(m, new RecordingApplier());
    }

    private ClusterNode start(ClusterMember m, RecordingApplier applier) throws IOException {
        appliers.put(m.id(), applier);
        ClusterNode node = ClusterNode.start(m, members, dir.resolve(m.id()), applier);
        running.put(m.id(), node);
        return node;
    }

    private void stop(String id) throws IOException {
        running.remove(id).close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterEach
    void stopAll() throws IOException {
        // A node closes once the applies it started have finished.
        appliers.values().forEach(RecordingApplier::release);
        for (ClusterNode n : running.values()) {
            n.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The leader every running node names, once they agree on one. */
    private String agreedLeader() {
        await().atMost(WAIT).until(() -> {
            List<Optional<String>> seen = running.values().stream().map(ClusterNode::metadataLeader).toList();
            return seen.get(0).isPresent() && seen.stream().distinct().count() == 1
                    && running.containsKey(seen.get(0).get());
        });
        return running.values().iterator().next().metadataLeader().orElseThrow();
    }

    @Test
    void shouldApplyEveryCommandInTheSameOrderOnEveryMember() throws Exception {
        startCluster();
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (ClusterNode n : running.values()) {
                replies.add(n.propose(bytes(n.self().id() + "-" + i)));
            }
        }
        for (CompletableFuture<byte[]> r : replies) {
            assertThat(text(r.get(WAIT.toSeconds(), TimeUnit.SECONDS))).startsWith("applied at ");
        }

        await().atMost(WAIT).until(() -> appliers.values().stream().allMatch(a -> a.applied.size() == 30));
        List<String> order = appliers.get("n1").applied;
        assertThat(appliers.get("n2").applied).containsExactlyElementsOf(order);
        assertThat(appliers.get("n3").applied).containsExactlyElementsOf(order);
        assertThat(order).doesNotHaveDuplicates().contains("n1-0", "n2-9", "n3-5");
    }

    @Test
    void shouldElectANewLeaderWhenTheLeaderStopsAndCatchItUpWhenItReturns() throws Exception {
        startCluster();
        running.get("n1").propose(bytes("before")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String oldLeader = agreedLeader();
        long oldTerm = running.get(oldLeader).metadataStatus().term();

        stop(oldLeader);

        String newLeader = agreedLeader();
        assertThat(newLeader).isNotEqualTo(oldLeader);
        assertThat(running.get(newLeader).metadataStatus().term()).isGreaterThan(oldTerm);
        for (ClusterNode n : running.values()) {
            n.propose(bytes("while " + oldLeader + " is down, from " + n.self().id())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        // The new leader sees the member that is down fall behind, and the one that is up keep up.
        String live = running.keySet().stream().filter(id -> !id.equals(newLeader)).findFirst().orElseThrow();
        await().atMost(WAIT).until(() -> {
            GroupStatus s = running.get(newLeader).metadataStatus();
            Map<String, Long> lag = new HashMap<>();
            s.replicas().forEach(r -> lag.put(r.id(), r.lag()));
            return s.role().equals("LEADER") && s.leader().equals(Optional.of(newLeader)) && s.commitIndex() >= 3
                    && lag.get(live) == 0 && lag.get(oldLeader) >= 2;
        });
        GroupStatus follower = running.get(live).metadataStatus();
        assertThat(follower.role()).isEqualTo("FOLLOWER");
        assertThat(follower.replicas()).isEmpty();
        assertThat(follower.term()).isEqualTo(running.get(newLeader).metadataStatus().term());

        // Back with its log on disk and an applier that starts empty: it applies everything again, then what it missed.
        ClusterMember returning = members.stream().filter(m -> m.id().equals(oldLeader)).findFirst().orElseThrow();
        start(returning).propose(bytes("after")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> appliers.values().stream().allMatch(a -> a.applied.size() == 4));
        List<String> order = appliers.get(newLeader).applied;
        assertThat(order.get(0)).isEqualTo("before");
        assertThat(order.get(3)).isEqualTo("after");
        for (RecordingApplier a : appliers.values()) {
            assertThat(a.applied).containsExactlyElementsOf(order);
        }
    }

    @Test
    void shouldNotAcknowledgeACommandWithoutAMajorityAndCarryOnWhenItIsBack() throws Exception {
        startCluster();
        running.get("n1").propose(bytes("first")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        stop("n2");
        stop("n3");

        CompletableFuture<byte[]> alone = running.get("n1").propose(bytes("alone"));

        assertThat(alone).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(ClusterUnavailableException.class);
        start(members.get(1));
        start(members.get(2));
        running.get("n3").propose(bytes("majority again")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> appliers.values().stream().allMatch(a -> a.applied.contains("majority again")));
        // A command that was not acknowledged may still be committed once a majority is back, but once at most.
        for (RecordingApplier a : appliers.values()) {
            assertThat(a.applied).startsWith("first").doesNotHaveDuplicates();
        }
    }

    /** What a node does after its proposal is answered sees the command: it was applied there first. */
    @Test
    void shouldAnswerAProposerOnlyOnceItsOwnNodeHasAppliedTheCommand() throws Exception {
        startCluster();
        String leader = agreedLeader();
        String follower = running.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        appliers.get(follower).hold = true;

        CompletableFuture<byte[]> proposed = running.get(follower).propose(bytes("declare"));

        await().atMost(WAIT).until(() -> appliers.get(leader).applied.contains("declare")
                && appliers.get(follower).heldBack.size() == 1);
        assertThat(proposed).as("answered before the proposer's node applied it").isNotDone();
        appliers.get(follower).release();
        assertThat(text(proposed.get(WAIT.toSeconds(), TimeUnit.SECONDS))).startsWith("applied at ");
        assertThat(appliers.get(follower).applied).containsExactly("declare");
    }

    /** A member whose own state holds what it applied before a restart is given only what it missed. */
    @Test
    void shouldNotApplyAgainWhatAMembersOwnStateHoldsAfterARestart() throws Exception {
        startCluster();
        for (String c : List.of("one", "two", "three")) {
            running.get("n1").propose(bytes(c)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> appliers.get("n2").applied.size() == 3);
        RecordingApplier before = appliers.get("n2");
        stop("n2");
        for (String c : List.of("four", "five")) {
            running.get("n1").propose(bytes(c)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        start(members.get(1), new RecordingApplier(before.applied, before.lastIndex));

        await().atMost(WAIT).until(() -> appliers.get("n2").applied.size() >= 5);
        running.get("n2").propose(bytes("six")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(appliers.get("n2").applied).containsExactly("one", "two", "three", "four", "five", "six");
        // n1 may apply "six" after the proposer's node has.
        await().atMost(WAIT).until(() -> appliers.get("n1").applied.size() == 6);
        assertThat(appliers.get("n1").applied).containsExactlyElementsOf(appliers.get("n2").applied);
    }

    /** An applier must not fail; if one does, its proposer is told, and the commands after it still go through. */
    @Test
    void shouldCarryOnAfterAnApplyThatFailed() throws Exception {
        startCluster();

        assertThat(running.get("n2").propose(bytes("fail"))).failsWithin(WAIT)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(ClusterUnavailableException.class).withMessageContaining("an applier with a bug");
        for (ClusterNode n : running.values()) {
            n.propose(bytes("after, from " + n.self().id())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> appliers.values().stream().allMatch(a -> a.applied.size() == 3));
    }
}
