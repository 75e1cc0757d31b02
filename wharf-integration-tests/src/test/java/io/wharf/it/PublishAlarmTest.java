package io.wharf.it;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.core.alarm.ResourceAlarms;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.it.support.Floods;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A disk alarm holds every protocol's publishers, not only AMQP's: an MQTT (QoS 0 and 1), STOMP or
 * Kafka flood started while the alarm is raised stops once the connection publishes (its state
 * turns {@code blocked}), the broker keeps serving, and when the alarm clears every message
 * arrives, none lost and none acknowledged before it was stored.
 */
class PublishAlarmTest {

    private static final int MESSAGES = 4000;
    private static final byte[] BODY = new byte[1024];

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void clearAlarmAndClose() throws Exception {
        alarms().setDiskFreeLimit(0).join();
        for (AutoCloseable c : clients) {
            c.close();
        }
    }

    private static ResourceAlarms alarms() {
        return wharf.server().broker().alarms();
    }

    private static VirtualHost vhost() {
        return wharf.server().broker().vhost("/").orElseThrow();
    }

    /** Whether one of the protocol's connections is blocked (a Kafka producer has two: bootstrap and partition leader). */
    private static boolean blocked(String protocol) {
        return wharf.server().broker().connections().all().stream()
                .anyMatch(c -> c.protocol().equals(protocol) && c.state().equals("blocked"));
    }

    /** A durable queue bound to amq.topic with {@code key}, where MQTT and STOMP topic messages land. */
    private static void topicQueue(String queue, String key) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, "amq.topic", key);
        }
    }

    private static long queued(String queue) {
        return vhost().queue(queue).messageCount();
    }

    /**
     * Raises the disk alarm, starts {@code flood}, waits for the publishing connection to be
     * blocked with part of the flood still outside, clears the alarm and waits for all of it.
     */
    private void assertHeldUntilTheAlarmClears(String protocol, Callable<CompletableFuture<?>> flood, Callable<Long> stored)
            throws Exception {
        alarms().setDiskFreeLimit(Long.MAX_VALUE).join();
        assertThat(alarms().blockedReason()).contains("low on disk");
        CompletableFuture<?> flooding = flood.call();

        await().atMost(Duration.ofSeconds(60)).until(() -> blocked(protocol));
        // What the client has sent may all sit in socket buffers by now (QoS 0 is done once written):
        // the broker stored part of it only.
        assertThat(stored.call()).isLessThan(MESSAGES);

        alarms().setDiskFreeLimit(0).join();
        flooding.get(120, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(stored, n -> n == MESSAGES);
        await().atMost(Duration.ofSeconds(60)).until(() -> !blocked(protocol));
    }

    private MqttAsyncClient mqtt(String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), id, new MemoryPersistence());
        c.connect(new MqttConnectionOptions()).waitForCompletion(30_000);
        clients.add(() -> {
            c.disconnect().waitForCompletion(30_000);
            c.close();
        });
        return c;
    }

    @Test
    void shouldHoldAnMqttQos1FloodUntilTheDiskAlarmClears() throws Exception {
        topicQueue("mqtt-qos1", "alarm.qos1");
        MqttAsyncClient client = mqtt("flood-qos1");
        assertHeldUntilTheAlarmClears("MQTT", () -> Floods.mqtt(client, "alarm/qos1", 1, MESSAGES, BODY), () -> queued("mqtt-qos1"));
    }

    @Test
    void shouldHoldAnMqttQos0FloodUntilTheDiskAlarmClears() throws Exception {
        topicQueue("mqtt-qos0", "alarm.qos0");
        MqttAsyncClient client = mqtt("flood-qos0");
        assertHeldUntilTheAlarmClears("MQTT", () -> Floods.mqtt(client, "alarm/qos0", 0, MESSAGES, BODY), () -> queued("mqtt-qos0"));
    }

    @Test
    void shouldHoldAStompSendFloodUntilTheDiskAlarmClears() throws Exception {
        topicQueue("stomp-sends", "alarm.stomp");
        StompTestClient stomp = new StompTestClient(wharf.stompPort());
        clients.add(stomp);
        assertThat(stomp.request("CONNECT", Map.of("accept-version", "1.2", "host", "/"), null).command()).isEqualTo("CONNECTED");
        assertHeldUntilTheAlarmClears("STOMP", () -> Floods.stomp(stomp, "/topic/alarm.stomp", MESSAGES, "x".repeat(BODY.length)),
                () -> queued("stomp-sends"));
    }

    @Test
    void shouldHoldAKafkaProduceFloodUntilTheDiskAlarmClears() throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        clients.add(producer);
        producer.send(new ProducerRecord<>("alarm-flood", 0, null, BODY)).get(30, TimeUnit.SECONDS);
        long before = vhost().stream("alarm-flood").partition(0).highWatermark();
        assertHeldUntilTheAlarmClears("Kafka", () -> Floods.kafka(producer, "alarm-flood", MESSAGES, BODY),
                () -> vhost().stream("alarm-flood").partition(0).highWatermark() - before);
    }
}
