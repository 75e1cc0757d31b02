package io.wharf.it;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.core.alarm.ResourceAlarms;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
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
    /** paho's reason code for a publish refused because too many are in flight. */
    private static final int PAHO_WINDOW_FULL = 32202;

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

    /** Publishes the flood from a thread of its own; the future completes when the client has every acknowledgement it asked for. */
    private static CompletableFuture<?> mqttFlood(MqttAsyncClient client, String topic, int qos) {
        return CompletableFuture.runAsync(() -> {
            try {
                List<IMqttToken> tokens = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    MqttMessage m = new MqttMessage(BODY, qos, false, null);
                    // paho refuses a publish while its window (the broker's Receive Maximum) is full: wait for a slot.
                    while (true) {
                        try {
                            tokens.add(client.publish(topic, m));
                            break;
                        } catch (MqttException e) {
                            if (e.getReasonCode() != PAHO_WINDOW_FULL) {
                                throw e;
                            }
                            tokens.removeIf(IMqttToken::isComplete);
                            Thread.sleep(1);
                        }
                    }
                }
                for (IMqttToken t : tokens) {
                    t.waitForCompletion(120_000);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void shouldHoldAnMqttQos1FloodUntilTheDiskAlarmClears() throws Exception {
        topicQueue("mqtt-qos1", "alarm.qos1");
        MqttAsyncClient client = mqtt("flood-qos1");
        assertHeldUntilTheAlarmClears("MQTT", () -> mqttFlood(client, "alarm/qos1", 1), () -> queued("mqtt-qos1"));
    }

    @Test
    void shouldHoldAnMqttQos0FloodUntilTheDiskAlarmClears() throws Exception {
        topicQueue("mqtt-qos0", "alarm.qos0");
        MqttAsyncClient client = mqtt("flood-qos0");
        assertHeldUntilTheAlarmClears("MQTT", () -> mqttFlood(client, "alarm/qos0", 0), () -> queued("mqtt-qos0"));
    }

    @Test
    void shouldHoldAStompSendFloodUntilTheDiskAlarmClears() throws Exception {
        topicQueue("stomp-sends", "alarm.stomp");
        StompTestClient stomp = new StompTestClient(wharf.stompPort());
        clients.add(stomp);
        assertThat(stomp.request("CONNECT", Map.of("accept-version", "1.2", "host", "/"), null).command()).isEqualTo("CONNECTED");
        String body = "x".repeat(BODY.length);
        assertHeldUntilTheAlarmClears("STOMP", () -> CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < MESSAGES - 1; i++) {
                    stomp.send("SEND", Map.of("destination", "/topic/alarm.stomp"), body);
                }
                // The receipt of the last comes after every SEND before it was handled.
                assertThat(stomp.request("SEND", Map.of("destination", "/topic/alarm.stomp", "receipt", "last"), body).command())
                        .isEqualTo("RECEIPT");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }), () -> queued("stomp-sends"));
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
        assertHeldUntilTheAlarmClears("Kafka", () -> CompletableFuture.runAsync(() -> {
            try {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    sent.add(producer.send(new ProducerRecord<>("alarm-flood", 0, null, BODY)));
                }
                for (Future<RecordMetadata> f : sent) {
                    f.get(300, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }), () -> vhost().stream("alarm-flood").partition(0).highWatermark() - before);
    }
}
