package io.wharf.it.cluster;

import io.wharf.core.stream.StreamPartition;
import io.wharf.it.support.LocalCluster;
import io.wharf.server.WharfServer;
import io.wharf.storage.log.LogSlice;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes in one JVM replicate a Kafka topic's partitions through their data groups: Kafka
 * clients find each partition's leader in Metadata, every replica holds the same bytes at the
 * same offsets, an idempotent producer goes on through the loss of a partition's leader without
 * writing anything twice, and a node that was down catches up.
 */
class ClusterStreamsTest {

    private static final Map<String, String> SETTINGS = Map.of("storage.fsync", "never");
    private static final Duration AGREED = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldReplicateATopicAndGoOnThroughTheLossOfItsLeader() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, SETTINGS)) {
            try (Admin admin = admin(cluster, "n1")) {
                admin.createTopics(List.of(new NewTopic("orders", 2, (short) 3))).all().get(60, TimeUnit.SECONDS);
                // Every node registered, and every partition's group has a leader caught up with its followers.
                await().atMost(AGREED).untilAsserted(() -> {
                    assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(3);
                    for (TopicPartitionInfo p : describe(admin).partitions()) {
                        assertThat(p.leader()).isNotNull();
                        assertThat(p.leader().id()).isGreaterThan(0);
                        assertThat(p.replicas()).hasSize(3);
                        assertThat(p.isr()).hasSize(3);
                    }
                });
            }

            Set<String> acknowledged = new HashSet<>();
            try (KafkaProducer<String, String> producer = producer(cluster)) {
                send(producer, "before-", 100, acknowledged);
                assertSameOnEveryRunningNode(cluster, 2);

                String leader;
                try (Admin admin = admin(cluster, "n1")) {
                    leader = nodeServing(cluster, describe(admin).partitions().get(0).leader());
                }
                cluster.stop(leader);
                send(producer, "during-", 100, acknowledged);
                try (Admin admin = admin(cluster, cluster.running().keySet().iterator().next())) {
                    await().atMost(AGREED).untilAsserted(() -> assertThat(nodeServing(cluster,
                            describe(admin).partitions().get(0).leader())).isNotEqualTo(leader));
                }
                assertSameOnEveryRunningNode(cluster, 2);

                cluster.start(leader);
                send(producer, "after-", 100, acknowledged);
            }
            assertThat(acknowledged).hasSize(300);
            // The node that was down has everything the others agreed on while it was away.
            assertSameOnEveryRunningNode(cluster, 2);
            assertThat(consumeAll(cluster, 300)).as("every acknowledged record exactly once").containsExactlyInAnyOrderElementsOf(
                    acknowledged);
        }
    }

    private static void send(KafkaProducer<String, String> producer, String prefix, int count, Set<String> acknowledged)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(producer.send(new ProducerRecord<>("orders", "k" + i, prefix + i)));
        }
        for (int i = 0; i < count; i++) {
            sent.get(i).get(90, TimeUnit.SECONDS);
            acknowledged.add(prefix + i);
        }
    }

    /** Every running node's copy of each partition: the same high watermark and the same bytes. */
    private static void assertSameOnEveryRunningNode(LocalCluster cluster, int partitions) {
        await().atMost(AGREED).untilAsserted(() -> {
            for (int p = 0; p < partitions; p++) {
                Map<String, ByteBuffer> copies = new HashMap<>();
                for (Map.Entry<String, WharfServer> n : cluster.running().entrySet()) {
                    StreamPartition sp = n.getValue().broker().vhost("/").orElseThrow().stream("orders").partition(p);
                    try (LogSlice s = sp.read(sp.logStartOffset(), 64 << 20)) {
                        ByteBuffer b = s.bytes();
                        copies.put(n.getKey(), ByteBuffer.allocate(b.remaining()).put(b).flip());
                    }
                }
                assertThat(new HashSet<>(copies.values())).as("partition %d on %s", p, copies.keySet()).hasSize(1);
            }
        });
    }

    private static List<String> consumeAll(LocalCluster cluster, int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(cluster));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "auditors");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("orders"));
            await().atMost(AGREED).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
            // Nothing beyond: a record written twice would show up here.
            for (int i = 0; i < 5; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    private static KafkaProducer<String, String> producer(LocalCluster cluster) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(cluster));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static String bootstrap(LocalCluster cluster) {
        return cluster.running().values().stream().map(s -> "127.0.0.1:" + s.kafkaPort()).collect(Collectors.joining(","));
    }

    private static Admin admin(LocalCluster cluster, String id) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + cluster.node(id).kafkaPort()));
    }

    private static TopicDescription describe(Admin admin) throws Exception {
        Collection<TopicDescription> d = admin.describeTopics(List.of("orders")).allTopicNames().get(10, TimeUnit.SECONDS).values();
        return d.iterator().next();
    }

    /** The id of the running node whose Kafka listener {@code n} names. */
    private static String nodeServing(LocalCluster cluster, Node n) {
        return cluster.running().entrySet().stream().filter(e -> e.getValue().kafkaPort() == n.port()).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError("no running node serves " + n));
    }
}
