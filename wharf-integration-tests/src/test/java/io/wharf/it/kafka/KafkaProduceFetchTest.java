package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharf.core.stream.StreamPartition;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/** kafka-clients' producer, consumer (partitions assigned by hand) and admin client against Wharf. */
class KafkaProduceFetchTest {

    // One broker for the class: each test uses topics of its own.
    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private String bootstrap() {
        return "127.0.0.1:" + wharf.kafkaPort();
    }

    private KafkaProducer<String, String> producer(Map<String, Object> extra) {
        return KafkaClients.producer(wharf.kafkaPort(), extra);
    }

    private KafkaConsumer<String, String> consumer() {
        return KafkaClients.consumer(wharf.kafkaPort(), Map.of());
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> c, int count) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    @Test
    void shouldConsumeWhatWasProducedWithKeysHeadersAndTimestamps() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
        }
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, String> p = producer(Map.of())) {
            for (int i = 0; i < 30; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>("orders", null, 1_000_000L + i, "key-" + (i % 5), "value-" + i,
                        List.of(new RecordHeader("trace", ("t" + i).getBytes(StandardCharsets.UTF_8))));
                sent.add(p.send(r).get());
            }
        }
        // The default partitioner (murmur2 of the key) puts each key in one partition.
        Map<Integer, Set<String>> keysByPartition = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> c = consumer()) {
            c.assign(List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("orders", 2)));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 30);
            assertThat(got).hasSize(30);
            for (ConsumerRecord<String, String> r : got) {
                int i = Integer.parseInt(r.value().substring("value-".length()));
                assertThat(r.key()).isEqualTo("key-" + (i % 5));
                assertThat(r.timestamp()).isEqualTo(1_000_000L + i);
                assertThat(new String(r.headers().lastHeader("trace").value(), StandardCharsets.UTF_8)).isEqualTo("t" + i);
                assertThat(r.partition()).isEqualTo(sent.get(i).partition());
                assertThat(r.offset()).isEqualTo(sent.get(i).offset());
                keysByPartition.computeIfAbsent(r.partition(), k -> new java.util.HashSet<>()).add(r.key());
            }
        }
        long keysInTwoPartitions = keysByPartition.values().stream().flatMap(Set::stream).count();
        assertThat(keysInTwoPartitions).isEqualTo(5);
        assertThat(sent.get(0).partition()).isEqualTo(
                org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                        "key-0".getBytes(StandardCharsets.UTF_8))) % 3);
    }

    @Test
    void shouldSeekByOffsetAndByTimestamp() throws Exception {
        try (KafkaProducer<String, String> p = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("clicks", 0, 5_000L + 100 * i, null, "c" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition("clicks", 0);
        try (KafkaConsumer<String, String> c = consumer()) {
            c.assign(List.of(tp));
            c.seek(tp, 7);
            assertThat(pollUntil(c, 3)).extracting(ConsumerRecord::value).containsExactly("c7", "c8", "c9");

            var found = c.offsetsForTimes(Map.of(tp, 5_450L));
            assertThat(found.get(tp).offset()).isEqualTo(5);
            c.seek(tp, found.get(tp).offset());
            assertThat(pollUntil(c, 5)).extracting(ConsumerRecord::value).containsExactly("c5", "c6", "c7", "c8", "c9");

            assertThat(c.beginningOffsets(List.of(tp))).containsEntry(tp, 0L);
            assertThat(c.endOffsets(List.of(tp))).containsEntry(tp, 10L);
        }
    }

    @Test
    void shouldWaitForDataWithALongPoll() throws Exception {
        TopicPartition tp = new TopicPartition("late", 0);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("late", 1, (short) 1))).all().get();
        }
        StreamPartition partition = wharf.server().broker().vhost("/").orElseThrow().stream("late").partition(0);
        // The fetch may wait longer than the test: only the broker's wake-up on the append can answer it in time.
        KafkaConsumer<String, String> c = KafkaClients.consumer(wharf.kafkaPort(),
                Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "120000", ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "180000"));
        try (KafkaProducer<String, String> p = producer(Map.of())) {
            c.assign(List.of(tp));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(c.poll(Duration.ZERO)).isEmpty();
                return partition.waitingReaders() == 1;
            });
            p.send(new ProducerRecord<>("late", "k", "arrived")).get();
            assertThat(pollUntil(c, 1)).extracting(ConsumerRecord::value).containsExactly("arrived");
        } finally {
            // Its next fetch is waiting on the broker: closing does not wait for that one to end.
            c.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    @Test
    void shouldCreateDescribeGrowAndDeleteTopicsWithTheAdminClient() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("inventory", 2, (short) 1)
                    .configs(Map.of("retention.ms", "86400000")))).all().get();
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("inventory", 2, (short) 1))).all().get())
                    .hasCauseInstanceOf(TopicExistsException.class);
            assertThat(admin.listTopics().names().get()).contains("inventory");

            admin.createPartitions(Map.of("inventory", NewPartitions.increaseTo(4))).all().get();
            assertThatThrownBy(() -> admin.createPartitions(Map.of("inventory", NewPartitions.increaseTo(20_000))).all().get())
                    .hasCauseInstanceOf(InvalidPartitionsException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("vast", 20_000, (short) 1))).all().get())
                    .hasCauseInstanceOf(InvalidPartitionsException.class);
            TopicDescription d = admin.describeTopics(List.of("inventory")).allTopicNames().get().get("inventory");
            assertThat(d.partitions()).hasSize(4);
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);

            var latest = admin.listOffsets(Map.of(new TopicPartition("inventory", 3), OffsetSpec.latest())).all().get();
            assertThat(latest.get(new TopicPartition("inventory", 3)).offset()).isZero();

            admin.deleteTopics(List.of("inventory")).all().get();
            assertThat(admin.listTopics().names().get()).doesNotContain("inventory");
            assertThatThrownBy(() -> admin.deleteTopics(List.of("inventory")).all().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void shouldGiveEachTopicAnIdThatLastsUntilItIsDeleted() throws Exception {
        Uuid first;
        try (Admin admin = admin()) {
            first = admin.createTopics(List.of(new NewTopic("ledger", 1, (short) 1))).topicId("ledger").get();
            assertThat(first).isNotEqualTo(Uuid.ZERO_UUID);
            assertThat(admin.describeTopics(List.of("ledger")).allTopicNames().get().get("ledger").topicId()).isEqualTo(first);
            assertThat(admin.describeTopics(TopicCollection.ofTopicIds(List.of(first))).allTopicIds().get().get(first).name())
                    .isEqualTo("ledger");
        }
        // With ids in the metadata, kafka-clients produce and fetch by id (Produce 13, Fetch 13 and later).
        try (KafkaProducer<String, String> p = producer(Map.of())) {
            p.send(new ProducerRecord<>("ledger", "k", "by id")).get();
        }
        try (KafkaConsumer<String, String> c = consumer()) {
            c.assign(List.of(new TopicPartition("ledger", 0)));
            assertThat(pollUntil(c, 1)).extracting(ConsumerRecord::value).containsExactly("by id");
        }
        wharf.restart();
        try (Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of("ledger")).allTopicNames().get().get("ledger").topicId()).isEqualTo(first);
            admin.deleteTopics(TopicCollection.ofTopicIds(List.of(first))).all().get();
            assertThat(admin.listTopics().names().get()).doesNotContain("ledger");
            Uuid second = admin.createTopics(List.of(new NewTopic("ledger", 1, (short) 1))).topicId("ledger").get();
            assertThat(second).isNotIn(Uuid.ZERO_UUID, first);
        }
    }

    @Test
    void shouldDescribeAndAlterTopicConfigs() throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "metrics");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("metrics", 1, (short) 1).configs(Map.of("retention.ms", "3600000")))).all().get();
            Config before = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(before.get("retention.ms").value()).isEqualTo("3600000");
            assertThat(before.get("retention.bytes").value()).isEqualTo("-1");

            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.bytes", "1048576"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get();
            Config after = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(after.get("retention.bytes").value()).isEqualTo("1048576");
            assertThat(after.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all().get())
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
        }
        wharf.restart();
        try (Admin admin = admin()) {
            Config kept = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(kept.get("retention.bytes").value()).isEqualTo("1048576");
        }
    }

    @Test
    void shouldKeepTopicsAndRecordsAcrossARestart() throws Exception {
        try (KafkaProducer<String, String> p = producer(Map.of())) {
            p.send(new ProducerRecord<>("kept", "k", "before restart")).get();
        }
        wharf.restart();
        TopicPartition tp = new TopicPartition("kept", 0);
        try (KafkaConsumer<String, String> c = consumer()) {
            c.assign(List.of(tp));
            assertThat(pollUntil(c, 1)).extracting(ConsumerRecord::value).containsExactly("before restart");
        }
    }

    @Test
    void shouldDeleteRecordsBeforeAnOffsetForGood() throws Exception {
        TopicPartition tp = new TopicPartition("purged", 0);
        try (KafkaProducer<String, String> p = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("purged", 0, "k", "v" + i)).get();
            }
        }
        try (Admin admin = admin()) {
            assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(6))).lowWatermarks().get(tp).get().lowWatermark())
                    .isEqualTo(6);
            assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get())
                    .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        }
        wharf.restart();
        try (Admin admin = admin()) {
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset()).isEqualTo(6);
        }
        try (KafkaConsumer<String, String> c = consumer()) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            assertThat(pollUntil(c, 4)).extracting(ConsumerRecord::value).containsExactly("v6", "v7", "v8", "v9");
        }
    }

    @Test
    void shouldWriteEachIdempotentBatchOnce() throws Exception {
        try (KafkaProducer<String, String> p = producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5))) {
            List<java.util.concurrent.Future<RecordMetadata>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                fs.add(p.send(new ProducerRecord<>("once", 0, "k", "v" + i)));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).get().offset()).isEqualTo(i);
            }
        }
    }
}
