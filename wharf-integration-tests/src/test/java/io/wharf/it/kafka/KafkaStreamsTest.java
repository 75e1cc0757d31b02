package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A Kafka Streams application, with exactly-once processing: its internal topics (a repartition
 * topic and a compacted changelog) are created with the settings Kafka Streams gives them, its
 * tasks commit through transactions, and a read_committed reader sees every count once.
 */
class KafkaStreamsTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    @TempDir
    Path state;

    @Test
    void shouldRunAWordCountWithExactlyOnceProcessing() throws Exception {
        String bootstrap = "127.0.0.1:" + wharf.kafkaPort();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("sentences", 2, (short) 1), new NewTopic("word-counts", 2, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> p = KafkaClients.producer(wharf.kafkaPort(), Map.of())) {
            for (int i = 0; i < 100; i++) {
                p.send(new ProducerRecord<>("sentences", "s" + i, i % 2 == 0 ? "apple banana cherry" : "apple banana"));
            }
        }

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.String().getClass());
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream("sentences")
                .flatMapValues(v -> Arrays.asList(v.split(" ")))
                .groupBy((k, word) -> word)
                .count(Materialized.as(Stores.inMemoryKeyValueStore("counts")))
                .toStream()
                .mapValues(String::valueOf)
                .to("word-counts");

        Map<String, String> latest = new HashMap<>();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
             KafkaConsumer<String, String> reader = KafkaClients.consumer(wharf.kafkaPort(), Map.of(
                     ConsumerConfig.GROUP_ID_CONFIG, "word-count-reader", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            streams.start();
            reader.subscribe(List.of("word-counts"));
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                    latest.put(r.key(), r.value());
                }
                assertThat(latest).containsExactlyInAnyOrderEntriesOf(Map.of("apple", "100", "banana", "100", "cherry", "50"));
            });
            // Kafka Streams may rebalance again once its internal topics exist; it settles in RUNNING.
            await().atMost(Duration.ofMinutes(1)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        }

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, "word-count-counts-changelog");
            Config c = admin.describeConfigs(List.of(changelog)).all().get().get(changelog);
            assertThat(c.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(admin.listTopics().names().get()).contains("word-count-counts-repartition");
        }
    }
}
