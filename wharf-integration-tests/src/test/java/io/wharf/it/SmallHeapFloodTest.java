package io.wharf.it;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.it.support.ChildBroker;
import io.wharf.it.support.Floods;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker with a small heap, flooded by publishers of every protocol at once with more than its
 * heap holds: the publish gate and the memory alarm hold the publishers back, the broker does not
 * run out of memory, keeps serving, and has every message it acknowledged.
 */
class SmallHeapFloodTest {

    private static final int MESSAGES = 2000;
    /** Four floods of 2,000 messages of 32 KiB: 250 MiB, about four times the heap. */
    private static final byte[] BODY = new byte[32 * 1024];

    @TempDir
    Path dir;

    @Test
    void shouldHoldFloodsOfEveryProtocolOnASmallHeapAndKeepWhatItAcknowledged() throws Exception {
        try (ChildBroker broker = new ChildBroker(dir).maxHeap("64m").with("WHARF_STOMP_ENABLED", "true")) {
            broker.start();
            ConnectionFactory f = new ConnectionFactory();
            f.setHost("127.0.0.1");
            f.setPort(broker.amqpPort());
            Connection amqp = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(f::newConnection, c -> true);
            try (amqp; Channel ch = amqp.createChannel()) {
                for (String q : List.of("heap-mqtt0", "heap-mqtt1", "heap-stomp")) {
                    ch.queueDeclare(q, true, false, false, null);
                    ch.queueBind(q, "amq.topic", q.replace("heap-", "heap."));
                }
            }
            MqttAsyncClient qos0 = mqtt(broker, "heap-qos0");
            MqttAsyncClient qos1 = mqtt(broker, "heap-qos1");
            StompTestClient stomp = new StompTestClient(broker.stompPort());
            assertThat(stomp.request("CONNECT", Map.of("accept-version", "1.2", "host", "/"), null).command()).isEqualTo("CONNECTED");
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.kafkaPort(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
            try (stomp; producer) {
                flood(broker, CompletableFuture.allOf(
                        Floods.mqtt(qos0, "heap/mqtt0", 0, MESSAGES, BODY),
                        Floods.mqtt(qos1, "heap/mqtt1", 1, MESSAGES, BODY),
                        Floods.stomp(stomp, "/topic/heap.stomp", MESSAGES, "x".repeat(BODY.length)),
                        Floods.kafka(producer, "heap-kafka", MESSAGES, BODY)));

                // Everything was acknowledged (QoS 0 only written): all of it is there.
                try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                    for (String q : List.of("heap-mqtt0", "heap-mqtt1", "heap-stomp")) {
                        await().atMost(Duration.ofSeconds(60)).until(() -> ch.queueDeclarePassive(q).getMessageCount(), n -> n == MESSAGES);
                    }
                }
                assertThat(endOffset(broker, "heap-kafka")).isEqualTo(MESSAGES);
                assertThat(broker.alive()).isTrue();
                assertThat(broker.log()).doesNotContain("OutOfMemoryError");
            } finally {
                for (MqttAsyncClient c : List.of(qos0, qos1)) {
                    if (c.isConnected()) {
                        c.disconnect().waitForCompletion(30_000);
                    }
                    c.close();
                }
            }
        }
    }

    /** Waits for the floods; if they do not finish, the broker's log says why. */
    private static void flood(ChildBroker broker, CompletableFuture<Void> floods) throws Exception {
        try {
            floods.get(300, TimeUnit.SECONDS);
        } catch (Exception e) {
            String log = broker.log();
            throw new AssertionError("the floods did not finish; the broker's log ends:\n"
                    + log.substring(Math.max(0, log.length() - 20_000)), e);
        }
    }

    private static MqttAsyncClient mqtt(ChildBroker broker, String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + broker.mqttPort(), id, new MemoryPersistence());
        c.connect(new MqttConnectionOptions()).waitForCompletion(30_000);
        return c;
    }

    private static long endOffset(ChildBroker broker, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.<String, Object>of(
                "bootstrap.servers", "127.0.0.1:" + broker.kafkaPort(),
                "key.deserializer", ByteArrayDeserializer.class,
                "value.deserializer", ByteArrayDeserializer.class))) {
            TopicPartition p = new TopicPartition(topic, 0);
            return c.endOffsets(List.of(p)).get(p);
        }
    }
}
