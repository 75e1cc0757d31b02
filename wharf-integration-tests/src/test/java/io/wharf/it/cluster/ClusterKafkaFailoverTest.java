package io.wharf.it.cluster;

import io.wharf.it.support.ApiClient;
import io.wharf.it.support.ChildBroker;
import io.wharf.storage.Storage;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogSlice;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes in child JVMs on loopback; the leader of a topic's partition is killed with SIGKILL
 * again and again while an idempotent {@code acks=all} producer writes to it and a consumer group
 * reads it and commits. Every record the producer was told is written is in the partition exactly
 * once, the group's committed offset never goes back, every node's copy of the partition holds
 * the same bytes at the end, and the time to each new leader is reported.
 * {@code -Dwharf.kafka-failover.cycles=N} runs more cycles than the default ten (the {@code soak}
 * profile runs a hundred).
 */
class ClusterKafkaFailoverTest {

    private static final int NODES = 3;
    private static final int CYCLES = Integer.getInteger("wharf.kafka-failover.cycles", 10);
    private static final Duration AGREED = Duration.ofSeconds(90);
    private static final String TOPIC = "ledger";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int PHASE = 500;

    @TempDir
    Path dir;

    private final List<ChildBroker> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (ChildBroker n : nodes) {
            n.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordOnceAndTheGroupsOffsetsThroughLeaderKills() throws Exception {
        nodes.addAll(ChildBroker.cluster(dir, NODES, Map.of("WHARF_MQTT_ENABLED", "false")));
        for (ChildBroker node : nodes) {
            node.start();
        }
        long end;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            await().atMost(AGREED).ignoreExceptions().untilAsserted(() -> {
                if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(TOPIC)) {
                    admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
                }
                TopicPartitionInfo p = partition(admin);
                assertThat(p.leader()).isNotNull();
                assertThat(p.isr()).hasSize(3);
            });

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicLong committed = new AtomicLong(-1);
            AtomicBoolean stop = new AtomicBoolean();
            // The producer sends as many records as it is allowed: a few hundred in each phase of a cycle.
            Semaphore allowance = new Semaphore(0);
            Thread producer = Thread.ofPlatform().name("producer").start(() -> produceUntil(stop, allowance, acknowledged));
            Thread consumer = Thread.ofPlatform().name("consumer").start(() -> consumeUntil(stop, committed));
            List<Long> failovers = new ArrayList<>();
            try {
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    int leader = await().atMost(AGREED).ignoreExceptions().until(() -> nodeServing(partition(admin).leader()),
                            n -> n > 0);
                    int survivor = leader % NODES + 1;
                    int before = acknowledged.size();
                    allowance.release(PHASE);
                    await().atMost(AGREED).until(() -> acknowledged.size() > before);
                    long killedAt = System.nanoTime();
                    nodes.get(leader - 1).kill();
                    // Timed on a survivor, which knows as soon as its group has a new leader.
                    await().atMost(AGREED).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                            .until(() -> leaderSeenBy(survivor), n -> n > 0 && n != leader);
                    failovers.add((System.nanoTime() - killedAt) / 1_000_000);
                    await().atMost(AGREED).ignoreExceptions().until(() -> nodeServing(partition(admin).leader()),
                            n -> n > 0 && n != leader);
                    int during = acknowledged.size();
                    allowance.release(PHASE);
                    await().atMost(AGREED).until(() -> acknowledged.size() > during);
                    nodes.get(leader - 1).start();
                    // Up again, and followed by its group's leader: only then is the next leader killed.
                    await().atMost(AGREED).ignoreExceptions().until(() -> leaderSeenBy(leader), n -> n > 0);
                    await().atMost(AGREED).ignoreExceptions().until(() -> partition(admin).isr().size() == NODES);
                }
                long seen = committed.get();
                allowance.release(PHASE);
                await().atMost(AGREED).until(() -> committed.get() > seen);
            } finally {
                stop.set(true);
                producer.join();
                consumer.join();
            }

            // The group's offset is where its consumer last committed it, on whichever node coordinates it now.
            long groupOffset = admin.listConsumerGroupOffsets("auditors").partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(PARTITION).offset();
            assertThat(groupOffset).as("the group's committed offset").isGreaterThanOrEqualTo(committed.get());

            end = admin.listOffsets(Map.of(PARTITION, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
                    .get(30, TimeUnit.SECONDS).get(PARTITION).offset();
            List<String> values = readAll(admin, end);
            assertThat(values).as("every acknowledged record").containsAll(acknowledged);
            assertThat(values).as("nothing twice").doesNotHaveDuplicates();
            List<Long> sorted = new ArrayList<>(failovers);
            Collections.sort(sorted);
            // Reported, not asserted: a test must not depend on timing.
            System.out.printf("%d partition leader kills, %d records acknowledged; time to a new leader: median %d ms, max %d ms (%s)%n",
                    CYCLES, acknowledged.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), failovers);
        }
        assertSameBytesOnEveryNode(end);
    }

    /** Sends records as {@code allowance} allows until told to stop, fifty at a time; records those acknowledged. */
    private void produceUntil(AtomicBoolean stop, Semaphore allowance, Set<String> acknowledged) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        int sent = 0;
        try (KafkaProducer<String, String> p = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            // Bounded: at most an hour of waiting for an allowance, and a few hundred thousand records.
            for (int wait = 0; wait < 36_000 && sent < 500_000 && !stop.get(); wait++) {
                if (!allowance.tryAcquire(50, 100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                for (int i = 0; i < 50; i++, sent++) {
                    String value = "r-" + sent;
                    p.send(new ProducerRecord<>(TOPIC, value), (metadata, e) -> {
                        if (e == null) {
                            acknowledged.add(value);
                        }
                    });
                }
                p.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads as a member of group "auditors" until told to stop, committing after each poll; records the last offset committed. */
    private void consumeUntil(AtomicBoolean stop, AtomicLong committed) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "auditors");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(TOPIC));
            for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                try {
                    if (!c.poll(Duration.ofMillis(200)).isEmpty()) {
                        long position = c.position(PARTITION);
                        c.commitSync(Map.of(PARTITION, new OffsetAndMetadata(position)), Duration.ofSeconds(30));
                        committed.accumulateAndGet(position, Math::max);
                    }
                } catch (RuntimeException e) {
                    // A commit or poll that failed while the coordinator moved: not committed, tried again.
                }
            }
        }
    }

    /** Every record in the partition, from the start to its end, read with no group. */
    private List<String> readAll(Admin admin, long end) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            c.assign(List.of(PARTITION));
            c.seekToBeginning(List.of(PARTITION));
            await().atMost(AGREED).until(() -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return c.position(PARTITION) >= end;
            });
        }
        return values;
    }

    /**
     * Once every node has all of the partition, stops them and reads each one's copy from its
     * files: the same batches, byte for byte.
     */
    private void assertSameBytesOnEveryNode(long end) throws Exception {
        for (ChildBroker n : nodes) {
            ApiClient api = new ApiClient(n.httpPort(), "guest", "guest");
            await().atMost(AGREED).ignoreExceptions().until(() -> api.get("/api/streams/%2F/" + TOPIC).json()
                    .path("partition_details").path(0).path("high_watermark").asLong(), hw -> hw == end);
        }
        for (ChildBroker n : nodes) {
            n.kill();
        }
        Set<ByteBuffer> copies = new HashSet<>();
        for (ChildBroker n : nodes) {
            try (Storage storage = Storage.open(Storage.Options.defaults(n.dataDir()))) {
                Log log = storage.logs().open("stream///" + TOPIC + "/0");
                ByteBuffer all = ByteBuffer.allocate(256 << 20);
                for (long offset = log.startOffset(); offset < log.endOffset(); ) {
                    try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                        all.put(s.bytes());
                        offset = s.nextOffset();
                    }
                }
                copies.add(all.flip());
            }
        }
        assertThat(copies).as("distinct copies of the partition (their sizes: %s)",
                copies.stream().map(ByteBuffer::remaining).toList()).hasSize(1);
    }

    /** The number of the node that node {@code i} sees leading the partition; 0 for none. */
    private int leaderSeenBy(int i) {
        String leader = new ApiClient(nodes.get(i - 1).httpPort(), "guest", "guest").get("/api/streams/%2F/" + TOPIC).json()
                .path("partition_details").path(0).path("leader").asText("");
        return leader.startsWith("n") ? Integer.parseInt(leader.substring(1)) : 0;
    }

    private static TopicPartitionInfo partition(Admin admin) throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC).partitions().get(0);
    }

    /** The number (1-based) of the node whose Kafka listener {@code n} names; 0 for none. */
    private int nodeServing(Node n) {
        for (int i = 0; i < nodes.size(); i++) {
            if (n != null && nodes.get(i).kafkaPort() == n.port()) {
                return i + 1;
            }
        }
        return 0;
    }

    private String bootstrap() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.kafkaPort()).collect(Collectors.joining(","));
    }
}
