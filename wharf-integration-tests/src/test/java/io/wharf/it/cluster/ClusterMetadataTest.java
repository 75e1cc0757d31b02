package io.wharf.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.core.exchange.Binding;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.it.support.ApiClient;
import io.wharf.it.support.CliRunner;
import io.wharf.it.support.LocalCluster;
import io.wharf.server.WharfServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes in one JVM agree on their definitions through the metadata group: what any node
 * declares that outlives a restart is on every node, what belongs to one node stays there, a
 * node that was down catches up, and without a majority a change fails with an error instead of
 * being acknowledged.
 */
class ClusterMetadataTest {

    private static final Map<String, String> SETTINGS = Map.of("storage.fsync", "never");
    private static final Duration AGREED = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void shouldHaveWhatAnyNodeDeclaresOnEveryNode() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, SETTINGS)) {
            try (Connection c = amqp(cluster.node("n1"))) {
                Channel ch = c.createChannel();
                ch.exchangeDeclare("orders", "topic", true);
                ch.queueDeclare("billing", true, false, false, Map.of("x-max-length", 100));
                ch.queueBind("billing", "orders", "order.*");
                // Belong to n1 alone, as a transient queue belongs to its node in RabbitMQ.
                ch.queueDeclare("scratch", false, false, false, null);
                ch.queueDeclare("mine", true, true, false, null);
            }
            ApiClient api2 = new ApiClient(cluster.node("n2").httpPort(), "guest", "guest");
            assertThat(api2.put("/api/vhosts/tenant", "{}").status()).isIn(201, 204);
            assertThat(api2.put("/api/users/alice", "{\"password\":\"wonderland\",\"tags\":\"\"}").status()).isIn(201, 204);
            assertThat(api2.put("/api/permissions/tenant/alice", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}")
                    .status()).isIn(201, 204);
            try (Admin admin = kafka(cluster.node("n3"))) {
                admin.createTopics(List.of(new NewTopic("events", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }

            for (String id : cluster.ids()) {
                WharfServer node = cluster.node(id);
                await().atMost(AGREED).untilAsserted(() -> {
                    VirtualHost root = node.broker().vhost("/").orElseThrow();
                    assertThat(root.exchange("orders").definition().type()).as(id).isEqualTo("topic");
                    assertThat(root.queue("billing").definition().arguments()).as(id).containsEntry("x-max-length", 100);
                    assertThat(root.exchange("orders").bindings()).as(id)
                            .contains(new Binding("orders", false, "billing", "order.*", Map.of()));
                    assertThat(root.stream("events")).as(id).isNotNull();
                    assertThat(root.stream("events").partitionCount()).as(id).isEqualTo(3);
                    assertThat(node.broker().vhost("tenant")).as(id).isPresent();
                });
            }
            // A user made on n2 logs in on n3, to the vhost made on n2.
            await().atMost(AGREED).until(() -> cluster.node("n3").broker().users().get("alice")
                    .flatMap(u -> u.permission("tenant")).isPresent());
            ConnectionFactory alice = new ConnectionFactory();
            alice.setPort(cluster.node("n3").amqpPort());
            alice.setUsername("alice");
            alice.setPassword("wonderland");
            alice.setVirtualHost("tenant");
            try (Connection c = alice.newConnection()) {
                c.createChannel().queueDeclare("alices", true, false, false, null);
            }
            await().atMost(AGREED).untilAsserted(() ->
                    assertThat(cluster.node("n1").broker().vhost("tenant").orElseThrow().findQueue("alices")).isPresent());

            Set<UUID> topicIds = new HashSet<>();
            cluster.running().values().forEach(n -> topicIds.add(n.broker().vhost("/").orElseThrow().stream("events").definition().id()));
            assertThat(topicIds).as("one topic id, drawn once, on every node").hasSize(1);
            for (String id : List.of("n2", "n3")) {
                VirtualHost root = cluster.node(id).broker().vhost("/").orElseThrow();
                assertThat(root.findQueue("scratch")).as(id).isEmpty();
                assertThat(root.findQueue("mine")).as(id).isEmpty();
            }
            assertThat(cluster.node("n1").broker().vhost("/").orElseThrow().findQueue("scratch")).isPresent();

            // A redeclaration that differs from what another node declared is refused as on one node.
            try (Connection c = amqp(cluster.node("n3"))) {
                Channel ch = c.createChannel();
                assertThatThrownBy(() -> ch.queueDeclare("billing", true, false, false, Map.of("x-max-length", 5)))
                        .hasStackTraceContaining("PRECONDITION_FAILED");
            }

            // Deleting on one node deletes everywhere.
            try (Connection c = amqp(cluster.node("n2"))) {
                c.createChannel().exchangeDelete("orders");
            }
            for (String id : cluster.ids()) {
                await().atMost(AGREED).untilAsserted(() ->
                        assertThat(cluster.node(id).broker().vhost("/").orElseThrow().exchanges())
                                .as(id).noneMatch(e -> e.name().equals("orders")));
            }
        }
    }

    @Test
    void shouldReportTheClusterOverTheApiAndTheCommandLine() throws Exception {
        Map<String, String> declaring = new java.util.HashMap<>(SETTINGS);
        declaring.put("streams", "[{name: declared, partitions: 2}]");
        try (LocalCluster cluster = LocalCluster.start(dir, 3, declaring)) {
            Set<String> leaders = new HashSet<>();
            // The first elections may hand leadership on once or twice before it settles.
            await().atMost(AGREED).untilAsserted(() -> {
                leaders.clear();
                for (String id : cluster.ids()) {
                    JsonNode status = new ApiClient(cluster.node(id).httpPort(), "guest", "guest").get("/api/cluster").json();
                    assertThat(status.path("clustered").asBoolean()).isTrue();
                    assertThat(status.path("node").asText()).isEqualTo(id);
                    assertThat(status.path("members")).extracting(m -> m.path("id").asText()).containsExactly("n1", "n2", "n3");
                    assertThat(status.path("groups").path(0).path("group").asText()).isEqualTo("metadata");
                    assertThat(status.path("groups").path(0).hasNonNull("leader")).as(id + " knows a leader").isTrue();
                    leaders.add(status.path("groups").path(0).path("leader").asText());
                }
                assertThat(leaders).as("every node names the same leader").hasSize(1);
            });
            // Every node declares the configuration's streams once the cluster agrees; they agree on one.
            await().atMost(AGREED).untilAsserted(() -> {
                Set<UUID> ids = new HashSet<>();
                for (WharfServer node : cluster.running().values()) {
                    assertThat(node.broker().vhost("/").orElseThrow().stream("declared")).isNotNull();
                    ids.add(node.broker().vhost("/").orElseThrow().stream("declared").definition().id());
                }
                assertThat(ids).hasSize(1);
            });
            String leader = leaders.iterator().next();
            ApiClient leaderApi = new ApiClient(cluster.node(leader).httpPort(), "guest", "guest");
            await().atMost(AGREED).untilAsserted(() -> {
                JsonNode status = leaderApi.get("/api/cluster").json();
                assertThat(status.path("members")).extracting(m -> m.path("state").asText()).containsOnly("self", "up");
                assertThat(status.path("groups").path(0).path("replicas")).hasSize(2);
            });

            // Every node registered where it serves clients.
            await().atMost(AGREED).untilAsserted(() -> {
                JsonNode members = leaderApi.get("/api/cluster").json().path("members");
                for (JsonNode m : members) {
                    WharfServer node = cluster.node(m.path("id").asText());
                    assertThat(m.path("host").asText()).isEqualTo("127.0.0.1");
                    assertThat(m.path("listeners").path("amqp").asInt()).isEqualTo(node.amqpPort());
                    assertThat(m.path("listeners").path("http").asInt()).isEqualTo(node.httpPort());
                    assertThat(m.path("version").asText()).isNotBlank();
                }
            });

            // Raft's state in the metrics, with a proposal of the leader's own timed.
            try (Connection c = amqp(cluster.node(leader))) {
                c.createChannel().queueDeclare("timed", true, false, false, null);
            }
            String metrics = new ApiClient(cluster.node(leader).httpPort(), null, null).get("/metrics").raw().body();
            assertThat(metrics).contains("wharf_cluster_leader{group=\"metadata\"} 1.0", "wharf_cluster_term{group=\"metadata\"}",
                    "wharf_cluster_commit_index{group=\"metadata\"}", "wharf_cluster_leader_changes_total{group=\"metadata\"}",
                    "wharf_cluster_replica_lag{group=\"metadata\",replica=", "wharf_cluster_member_up{member=\"" + leader + "\"} 1.0")
                    .containsPattern("wharf_cluster_proposal_seconds_count [1-9]");

            CliRunner.Run run = CliRunner.forPort(cluster.node(leader).httpPort()).run("cluster", "status");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("node " + leader, "metadata", "leader", "n1", "n2", "n3",
                    "127.0.0.1: amqp " + cluster.node(leader).amqpPort());

            // A member that stopped is down, as the leader sees it; another follower asks the leader.
            List<String> followers = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
            ApiClient otherFollower = new ApiClient(cluster.node(followers.get(1)).httpPort(), "guest", "guest");
            assertThat(otherFollower.get("/api/cluster").json().path("members")).extracting(m -> m.path("state").asText())
                    .containsOnly("self", "up");
            cluster.stop(followers.get(0));
            for (ApiClient api : List.of(leaderApi, otherFollower)) {
                await().atMost(AGREED).untilAsserted(() -> assertThat(api.get("/api/cluster").json().path("members"))
                        .anyMatch(m -> m.path("id").asText().equals(followers.get(0)) && m.path("state").asText().equals("down")));
            }
            assertThat(otherFollower.get("/api/cluster").json().path("groups").path(0).path("replicas")).hasSize(2);
        }
    }

    @Test
    void shouldCatchUpANodeThatWasDownAndKeepDefinitionsThroughRestarts() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, SETTINGS)) {
            cluster.stop("n3");
            try (Connection c = amqp(cluster.node("n1"))) {
                Channel ch = c.createChannel();
                ch.queueDeclare("late", true, false, false, null);
                // A queue deleted and declared again: going through the log again after a
                // restart must not delete the second one, or the message in it.
                ch.queueDeclare("again", true, false, false, null);
                ch.queueDelete("again");
                ch.queueDeclare("again", true, false, false, Map.of("x-max-length", 10));
                ch.basicPublish("", "again", MessageProperties.PERSISTENT_TEXT_PLAIN, "kept".getBytes(StandardCharsets.UTF_8));
                ch.confirmSelect();
                ch.basicPublish("", "again", MessageProperties.PERSISTENT_TEXT_PLAIN, "kept too".getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(30_000);
            }
            cluster.start("n3");
            await().atMost(AGREED).untilAsserted(() -> {
                VirtualHost root = cluster.node("n3").broker().vhost("/").orElseThrow();
                assertThat(root.findQueue("late")).isPresent();
                // Applied in the log's order: "again" may come a moment after "late".
                assertThat(root.findQueue("again")).isPresent();
                assertThat(root.queue("again").definition().arguments()).containsEntry("x-max-length", 10);
            });

            cluster.stop("n1");
            cluster.start("n1");
            VirtualHost root = cluster.node("n1").broker().vhost("/").orElseThrow();
            assertThat(root.queue("again").definition().arguments()).containsEntry("x-max-length", 10);
            assertThat(root.queue("again").messageCount()).isEqualTo(2);
            assertThat(root.findQueue("late")).isPresent();
        }
    }

    @Test
    void shouldRefuseChangesWithoutAMajority() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, SETTINGS)) {
            // Agreed while all three run, so the survivor has a leader to lose.
            try (Connection c = amqp(cluster.node("n1"))) {
                c.createChannel().queueDeclare("before", true, false, false, null);
            }
            cluster.stop("n2");
            cluster.stop("n3");
            // As RabbitMQ does when a quorum queue cannot be declared, the connection is closed with the reason.
            Connection refused = amqp(cluster.node("n1"));
            Channel ch = refused.createChannel();
            assertThatThrownBy(() -> ch.queueDeclare("without-majority", true, false, false, null))
                    .isInstanceOfAny(IOException.class, ShutdownSignalException.class)
                    .hasStackTraceContaining("RESOURCE_ERROR")
                    .hasStackTraceContaining("not agreed by the cluster");
            refused.abort();
            assertThat(cluster.node("n1").broker().vhost("/").orElseThrow().findQueue("without-majority")).isEmpty();
            // A node's own queues need no majority.
            try (Connection c = amqp(cluster.node("n1"))) {
                c.createChannel().queueDeclare("transient-here", false, false, false, null);
            }

            cluster.start("n2");
            try (Connection c = amqp(cluster.node("n1"))) {
                c.createChannel().queueDeclare("with-majority-again", true, false, false, null);
            }
            await().atMost(AGREED).untilAsserted(() ->
                    assertThat(cluster.node("n2").broker().vhost("/").orElseThrow().findQueue("with-majority-again")).isPresent());
        }
    }

    @Test
    void shouldGrowAndShrinkByMembershipChanges() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, SETTINGS)) {
            try (Connection c = amqp(cluster.node("n1"))) {
                c.createChannel().queueDeclare("before-n4", true, false, false, null);
            }
            String n4 = cluster.startNewMember();
            CliRunner cli = CliRunner.forPort(cluster.node("n1").httpPort());
            CliRunner.Run added = cli.run("cluster", "add-member", n4);
            assertThat(added.exitCode()).as(added.err()).isZero();
            // What was agreed before n4 joined reaches it, and what it declares reaches the others.
            await().atMost(AGREED).untilAsserted(() ->
                    assertThat(cluster.node("n4").broker().vhost("/").orElseThrow().findQueue("before-n4")).isPresent());
            try (Connection c = amqp(cluster.node("n4"))) {
                c.createChannel().queueDeclare("from-n4", true, false, false, null);
            }
            await().atMost(AGREED).untilAsserted(() ->
                    assertThat(cluster.node("n1").broker().vhost("/").orElseThrow().findQueue("from-n4")).isPresent());
            ApiClient api = new ApiClient(cluster.node("n1").httpPort(), "guest", "guest");
            assertThat(api.get("/api/cluster").json().path("members")).extracting(m -> m.path("id").asText())
                    .containsExactly("n1", "n2", "n3", "n4");
            assertThat(cli.run("cluster", "add-member", n4).exitCode()).as("a member twice").isNotZero();

            CliRunner.Run removed = cli.run("cluster", "remove-member", "n2");
            assertThat(removed.exitCode()).as(removed.err()).isZero();
            cluster.stop("n2");
            assertThat(api.get("/api/cluster").json().path("members")).extracting(m -> m.path("id").asText())
                    .containsExactly("n1", "n3", "n4");
            assertThat(api.delete("/api/cluster/members/n2").status()).as("no longer a member").isEqualTo(404);
            // Three members left: one more may stop and changes still go through.
            cluster.stop("n3");
            try (Connection c = amqp(cluster.node("n1"))) {
                c.createChannel().queueDeclare("after-shrinking", true, false, false, null);
            }
            await().atMost(AGREED).untilAsserted(() ->
                    assertThat(cluster.node("n4").broker().vhost("/").orElseThrow().findQueue("after-shrinking")).isPresent());
        }
    }

    private static Connection amqp(WharfServer node) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(node.amqpPort());
        // Long enough for a proposal to give up when no majority answers.
        f.setChannelRpcTimeout(60_000);
        return f.newConnection();
    }

    private static Admin kafka(WharfServer node) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + node.kafkaPort()));
    }
}
