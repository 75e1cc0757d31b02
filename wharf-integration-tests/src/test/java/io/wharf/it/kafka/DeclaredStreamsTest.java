package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

/** Streams declared in the configuration, as Kafka clients see them across restarts that change the declaration. */
class DeclaredStreamsTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension()
            .with("streams", "[{name: declared, partitions: 2, retention-age: 1d}, {name: retired, delete: true}]");

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort()));
    }

    private static String retentionMs(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r).get("retention.ms").value();
    }

    @Test
    void shouldCreateGrowAndDeleteStreamsAsTheConfigurationSays() throws Exception {
        try (Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of("declared")).allTopicNames().get().get("declared").partitions()).hasSize(2);
            assertThat(retentionMs(admin, "declared")).isEqualTo("86400000");
            assertThat(admin.listTopics().names().get()).doesNotContain("retired");
            admin.createTopics(List.of(new NewTopic("retired", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> p = KafkaClients.producer(wharf.kafkaPort(), Map.of())) {
            p.send(new ProducerRecord<>("declared", 1, "k", "kept")).get();
            p.send(new ProducerRecord<>("retired", "k", "to be deleted")).get();
        }

        // Grown, its retention left as it was since the entry no longer names it, and the other deleted.
        wharf.with("streams", "[{name: declared, partitions: 4}, {name: retired, delete: true}]").restart();
        try (Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of("declared")).allTopicNames().get().get("declared").partitions()).hasSize(4);
            assertThat(retentionMs(admin, "declared")).isEqualTo("86400000");
            assertThat(admin.listTopics().names().get()).doesNotContain("retired");
            TopicPartition written = new TopicPartition("declared", 1);
            assertThat(admin.listOffsets(Map.of(written, OffsetSpec.latest())).all().get().get(written).offset()).isEqualTo(1L);
        }

        // A stream the configuration stops mentioning stays.
        wharf.with("streams", "[]").restart();
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get()).contains("declared");
        }
    }
}
