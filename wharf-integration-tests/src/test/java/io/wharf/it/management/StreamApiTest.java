package io.wharf.it.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.it.support.ApiClient;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Streams and consumer groups through the API, filled by real Kafka clients. */
class StreamApiTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private ApiClient api() {
        return new ApiClient(wharf.httpPort(), "guest", "guest");
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    @Test
    void shouldCreateAStreamThatKafkaClientsProduceTo() throws Exception {
        assertThat(api().put("/api/streams/%2F/clicks", "{\"partitions\":2,\"configs\":{\"retention.ms\":\"3600000\"}}").status()).isEqualTo(201);
        try (KafkaProducer<String, String> p = producer()) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("clicks", i % 2, null, "click " + i)).get();
            }
        }
        JsonNode s = api().get("/api/streams/%2F/clicks").json();
        assertThat(s.get("partitions").asInt()).isEqualTo(2);
        assertThat(s.get("messages").asLong()).isEqualTo(10);
        assertThat(s.at("/configs/retention.ms").asText()).isEqualTo("3600000");
        assertThat(s.at("/message_stats/publish").asLong()).isEqualTo(10);
        assertThat(s.get("disk_bytes").asLong()).isPositive();
        JsonNode p0 = s.get("partition_details").get(0);
        assertThat(p0.get("first_offset").asLong()).isZero();
        assertThat(p0.get("last_offset").asLong()).isEqualTo(4);
        assertThat(p0.get("high_watermark").asLong()).isEqualTo(5);
        assertThat(api().get("/api/streams").json().findValuesAsText("name")).contains("clicks");

        assertThat(api().put("/api/streams/%2F/clicks", "{\"partitions\":3}").status()).isEqualTo(204);
        assertThat(api().get("/api/streams/%2F/clicks").json().get("partitions").asInt()).isEqualTo(3);
        assertThat(api().put("/api/streams/%2F/clicks", "{\"partitions\":1}").status()).isEqualTo(409);
        assertThat(api().delete("/api/streams/%2F/clicks").status()).isEqualTo(204);
        assertThat(api().get("/api/streams/%2F/clicks").status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseInvalidStreams() {
        ApiClient.Answer name = api().put("/api/streams/%2F/no%20spaces", "{}");
        assertThat(name.status()).isEqualTo(400);
        assertThat(name.json().get("field").asText()).isEqualTo("name");
        ApiClient.Answer config = api().put("/api/streams/%2F/cfg", "{\"configs\":{\"retention.ms\":\"forever\"}}");
        assertThat(config.status()).isEqualTo(400);
        assertThat(config.json().get("field").asText()).isEqualTo("configs.retention.ms");
        ApiClient.Answer partitions = api().put("/api/streams/%2F/cfg", "{\"partitions\":0}");
        assertThat(partitions.json().get("field").asText()).isEqualTo("partitions");
        assertThat(api().delete("/api/streams/%2F/cfg").status()).isEqualTo(404);
    }

    @Test
    void shouldShowCommittedOffsetsAndLagOfAConsumerGroup() throws Exception {
        assertThat(api().put("/api/streams/%2F/payments", "{\"partitions\":1}").status()).isEqualTo(201);
        try (KafkaProducer<String, String> p = producer()) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("payments", "p" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> c = consumer("billing")) {
            c.subscribe(List.of("payments"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !c.poll(Duration.ofMillis(200)).isEmpty() || !c.assignment().isEmpty());
            c.commitSync(Map.of(new TopicPartition("payments", 0), new OffsetAndMetadata(15)));

            JsonNode list = api().get("/api/groups/%2F").json();
            JsonNode billing = null;
            for (JsonNode g : list) {
                if (g.get("name").asText().equals("billing")) {
                    billing = g;
                }
            }
            assertThat(billing).isNotNull();
            assertThat(billing.get("lag").asLong()).isEqualTo(5);

            JsonNode g = api().get("/api/groups/%2F/billing").json();
            JsonNode offset = g.get("offsets").get(0);
            assertThat(offset.get("stream").asText()).isEqualTo("payments");
            assertThat(offset.get("committed_offset").asLong()).isEqualTo(15);
            assertThat(offset.get("high_watermark").asLong()).isEqualTo(20);
            assertThat(offset.get("lag").asLong()).isEqualTo(5);
            await().untilAsserted(() -> {
                JsonNode live = api().get("/api/groups/%2F/billing").json();
                assertThat(live.get("state").asText()).isEqualTo("Stable");
                assertThat(live.get("members")).hasSize(1);
                assertThat(live.get("members").get(0).at("/assignment/payments").get(0).asInt()).isZero();
            });
        }
        assertThat(api().get("/api/groups/%2F/nobody").status()).isEqualTo(404);
    }
}
