package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Consumer groups with kafka-clients: joins, rebalances, committed offsets, static membership. */
class KafkaConsumerGroupTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    private Properties consumerProps(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20");
        return p;
    }

    private void produce(String topic, int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = KafkaClients.producer(wharf.kafkaPort(), Map.of())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, Integer.toString(i)));
            }
            producer.flush();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort()));
    }

    /** A group member that processes records one poll at a time and commits before giving partitions up. */
    private final class Worker implements AutoCloseable {
        final KafkaConsumer<String, String> consumer;
        final Thread thread;
        final AtomicBoolean running = new AtomicBoolean(true);

        Worker(String name, String group, String topic, Map<String, Integer> seen) {
            consumer = new KafkaConsumer<>(consumerProps(group));
            thread = new Thread(() -> {
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        consumer.commitSync(done);
                        done.clear();
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    }
                });
                while (running.get()) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        seen.merge(r.value(), 1, Integer::sum);
                        done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    if (!done.isEmpty()) {
                        consumer.commitSync(done);
                        done.clear();
                    }
                }
                consumer.close();
            }, name);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    @Test
    void shouldShareWorkAcrossRebalancesWithoutLosingOrRepeatingCommittedWork() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("jobs", 6, (short) 1))).all().get();
        }
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        produce("jobs", 0, 300);
        Worker a = new Worker("worker-a", "billing", "jobs", seen);
        Worker b = new Worker("worker-b", "billing", "jobs", seen);
        Worker c = new Worker("worker-c", "billing", "jobs", seen);
        await().atMost(60, TimeUnit.SECONDS).until(() -> seen.size() >= 150);

        b.close();
        Worker d = new Worker("worker-d", "billing", "jobs", seen);
        produce("jobs", 300, 600);
        await().atMost(60, TimeUnit.SECONDS).until(() -> seen.size() == 600);

        try (Admin admin = admin()) {
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of("billing")).all().get().get("billing");
                return g.members().size() == 3;
            });
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get();
            await().atMost(30, TimeUnit.SECONDS).until(() -> admin.listConsumerGroupOffsets("billing")
                    .partitionsToOffsetAndMetadata().get().values().stream().mapToLong(OffsetAndMetadata::offset).sum() == 600);
            assertThat(committed).isNotEmpty();
        }
        a.close();
        c.close();
        d.close();
        assertThat(seen).hasSize(600);
        assertThat(seen.values()).as("records handled more than once").allMatch(n -> n == 1);
    }

    @Test
    void shouldResumeFromTheCommittedOffset() throws Exception {
        produce("resume", 0, 10);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps("readers"))) {
            c.subscribe(List.of("resume"));
            List<String> got = new ArrayList<>();
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> got.add(r.value()));
                return got.size() >= 10;
            });
            c.commitSync(Map.of(new TopicPartition("resume", 0), new OffsetAndMetadata(6, "halfway")));
        }
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps("readers"))) {
            c.subscribe(List.of("resume"));
            List<String> got = new ArrayList<>();
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> got.add(r.value()));
                return got.size() >= 4;
            });
            assertThat(got).containsExactly("6", "7", "8", "9");
            assertThat(c.committed(Set.of(new TopicPartition("resume", 0))).get(new TopicPartition("resume", 0)).metadata())
                    .isEqualTo("halfway");
        }
        try (Admin admin = admin()) {
            assertThat(admin.listConsumerGroups().all().get()).anyMatch(g -> g.groupId().equals("readers"));
            admin.deleteTopics(List.of("resume")).all().get();
            assertThat(admin.listConsumerGroupOffsets("readers").partitionsToOffsetAndMetadata().get())
                    .as("offsets of a deleted topic").isEmpty();
            admin.deleteConsumerGroups(List.of("readers")).all().get();
            assertThat(admin.listConsumerGroupOffsets("readers").partitionsToOffsetAndMetadata().get()).isEmpty();
        }
    }

    @Test
    void shouldLetAStaticMemberComeBackToItsPartitionsWithoutARebalance() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("sensors", 2, (short) 1))).all().get();
        }
        produce("sensors", 0, 20);
        Properties props = consumerProps("static");
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "sensor-reader-1");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000");
        int generation;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
            c.subscribe(List.of("sensors"));
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().size() == 2;
            });
            generation = c.groupMetadata().generationId();
        }
        // A static member does not leave the group when it closes: its place waits for the session timeout.
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
            c.subscribe(List.of("sensors"));
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().size() == 2;
            });
            assertThat(c.groupMetadata().generationId()).isEqualTo(generation);
        }
    }
}
