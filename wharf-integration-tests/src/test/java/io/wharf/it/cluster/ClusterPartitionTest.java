package io.wharf.it.cluster;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.it.support.ApiClient;
import io.wharf.it.support.ChildBroker;
import io.wharf.it.support.IsolatedHosts;
import io.wharf.it.support.MetadataLeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes as three hosts (child JVMs in network namespaces of their own): a leader cut off
 * from the others stops acknowledging changes, the majority elects another and goes on, and once
 * the network heals the old leader drops what it could not commit and takes what the majority
 * agreed; a paused leader (SIGSTOP) is replaced the same way.
 */
class ClusterPartitionTest {

    private static final int NODES = 3;
    private static final int RAFT_PORT = 7101;
    private static final Duration AGREED = Duration.ofSeconds(60);
    private static final Duration CATCH_UP = Duration.ofMinutes(2);
    private static final String USER = "operator";
    private static final String PASSWORD = "partitions-heal";

    @TempDir
    Path dir;

    private IsolatedHosts hosts;
    private final List<ChildBroker> nodes = new ArrayList<>();

    @BeforeEach
    void startThreeHosts() throws Exception {
        Assumptions.assumeTrue(IsolatedHosts.available(),
                "network namespaces need root; this partition test runs only as root (as CI does)");
        hosts = IsolatedHosts.create(NODES);
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            members.add("n" + i + "@" + hosts.address(i) + ":" + RAFT_PORT);
        }
        for (int i = 1; i <= NODES; i++) {
            ChildBroker node = new ChildBroker(dir.resolve("n" + i)).inNamespace(hosts.namespace(i))
                    .with("WHARF_CLUSTER_NODE_ID", "n" + i)
                    .with("WHARF_CLUSTER_MEMBERS", members.toString())
                    .with("WHARF_STORAGE_FSYNC", "never")
                    // guest may only connect over loopback; this JVM reaches the hosts over their links.
                    .with("WHARF_USERS", "[{name: " + USER + ", password: " + PASSWORD + ", tags: [administrator],"
                            + " permissions: {\"/\": {configure: \".*\", write: \".*\", read: \".*\"}}}]")
                    .with("WHARF_KAFKA_ENABLED", "false")
                    .with("WHARF_MQTT_ENABLED", "false");
            Files.createDirectories(dir.resolve("n" + i));
            nodes.add(node);
            node.start();
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (ChildBroker n : nodes) {
            n.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void shouldStopAcknowledgingOnACutOffLeaderAndGoOnWithTheMajority() throws Exception {
        int leader = MetadataLeader.settled(NODES, this::api, AGREED);
        declare(leader, "before");
        awaitQueueOnAll("before");

        long cutAt = System.nanoTime();
        for (int other = 1; other <= NODES; other++) {
            if (other != leader) {
                hosts.cut(leader, other);
            }
        }
        int majorityNode = leader % NODES + 1;
        int newLeader = await().atMost(AGREED).until(() -> MetadataLeader.seenBy(api(majorityNode)), l -> l > 0 && l != leader);
        // Reported, not asserted: a test must not depend on timing.
        System.out.printf("a new leader (n%d) was elected %d ms after the old one was cut off%n", newLeader,
                (System.nanoTime() - cutAt) / 1_000_000);
        // The cut-off leader cannot commit: the declaration fails, it is not acknowledged.
        Connection refused = amqp(leader);
        Channel ch = refused.createChannel();
        assertThatThrownBy(() -> ch.queueDeclare("isolated", true, false, false, null))
                .isInstanceOfAny(IOException.class, ShutdownSignalException.class)
                .hasStackTraceContaining("not agreed by the cluster");
        refused.abort();
        declare(majorityNode, "majority");

        for (int other = 1; other <= NODES; other++) {
            if (other != leader) {
                hosts.heal(leader, other);
            }
        }
        // The old leader takes what the majority agreed, which replaces what it alone had.
        long healedAt = System.nanoTime();
        await().atMost(CATCH_UP).until(() -> queueExists(leader, "majority"));
        System.out.printf("the old leader caught up %d ms after the network healed%n", (System.nanoTime() - healedAt) / 1_000_000);
        for (int i = 1; i <= NODES; i++) {
            assertThat(queueExists(i, "isolated")).as("n%d has the declaration that was never agreed", i).isFalse();
            assertThat(queueExists(i, "before")).isTrue();
        }
    }

    @Test
    void shouldReplaceAPausedLeader() throws Exception {
        int leader = MetadataLeader.settled(NODES, this::api, AGREED);
        ChildBroker paused = nodes.get(leader - 1);
        paused.pause();
        try {
            int other = leader % NODES + 1;
            await().atMost(AGREED).until(() -> MetadataLeader.seenBy(api(other)), l -> l > 0 && l != leader);
            declare(other, "while-paused");
        } finally {
            paused.resume();
        }
        await().atMost(AGREED).until(() -> queueExists(leader, "while-paused"));
    }
    /** The leader node {@code i} names (1-based), 0 if none or it does not answer. */
    private boolean queueExists(int i, String queue) {
        try {
            return api(i).get("/api/queues/%2F/" + queue).status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void awaitQueueOnAll(String queue) {
        for (int i = 1; i <= NODES; i++) {
            int node = i;
            await().atMost(AGREED).until(() -> queueExists(node, queue));
        }
    }

    private void declare(int i, String queue) throws Exception {
        try (Connection c = amqp(i)) {
            c.createChannel().queueDeclare(queue, true, false, false, Map.of());
        }
    }

    private ApiClient api(int i) {
        return new ApiClient(hosts.address(i), nodes.get(i - 1).httpPort(), USER, PASSWORD);
    }

    private Connection amqp(int i) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(hosts.address(i));
        f.setPort(nodes.get(i - 1).amqpPort());
        f.setUsername(USER);
        f.setPassword(PASSWORD);
        f.setChannelRpcTimeout(60_000);
        return await().atMost(AGREED).ignoreExceptions().until(f::newConnection, c -> true);
    }
}
