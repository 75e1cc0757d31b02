package io.wharf.it.storage;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.test.SmallDisk;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A full disk, the kernel's own where the test may mount a small file system: every protocol's
 * publisher gets its own storage error (AMQP basic.nack, Kafka KAFKA_STORAGE_ERROR, MQTT 5 0x97,
 * STOMP ERROR), nothing is acknowledged that was not stored, and publishing works again once
 * space is freed.
 */
class FullDiskTest {

    @RegisterExtension
    @Order(1)
    static final SmallDisk disk = SmallDisk.create(96);

    // Without preallocation every append needs new room at once; the alarm would block AMQP first.
    @RegisterExtension
    @Order(2)
    static final WharfExtension wharf = new WharfExtension().dataDirIn(disk.dir()).storageChannels(disk.channels())
            .with("storage.preallocate", "false").with("alarms.disk-free-limit", "0");

    @AfterEach
    void free() throws Exception {
        disk.free();
    }

    @Test
    void shouldNackAmqpPublishesWhileTheDiskIsFull() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("full-amqp", true, false, false, null);
            ch.confirmSelect();
            disk.fill();

            ch.basicPublish("", "full-amqp", MessageProperties.PERSISTENT_BASIC, "not stored".getBytes());
            assertThat(ch.waitForConfirms(30_000)).as("confirmed with the disk full").isFalse();

            disk.free();
            ch.basicPublish("", "full-amqp", MessageProperties.PERSISTENT_BASIC, "stored".getBytes());
            assertThat(ch.waitForConfirms(30_000)).isTrue();
            assertThat(new String(ch.basicGet("full-amqp", true).getBody())).isEqualTo("stored");
            assertThat(ch.basicGet("full-amqp", true)).isNull();
        }
    }

    private KafkaProducer<String, String> producer(Map<String, Object> settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.putAll(settings);
        return new KafkaProducer<>(p);
    }

    @Test
    void shouldAnswerKafkaProducersWithARetriableStorageError() throws Exception {
        try (KafkaProducer<String, String> once = producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
             KafkaProducer<String, String> retrying = producer(Map.of(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 200))) {
            once.send(new ProducerRecord<>("full-kafka", "before")).get();
            disk.fill();

            // Larger than what is left of the file's last page, which a full disk still writes into.
            String large = "refused ".repeat(32 * 1024);
            Throwable refused = catchThrowable(() -> once.send(new ProducerRecord<>("full-kafka", large)).get());
            assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(KafkaStorageException.class);

            Future<RecordMetadata> retried = retrying.send(new ProducerRecord<>("full-kafka", large));
            disk.free();
            assertThat(retried.get().offset()).as("stored once the disk has room").isPositive();
        }
    }

    @Test
    void shouldAnswerMqtt5PublishesWithQuotaExceeded() throws Exception {
        MqttConnectionOptions durable = new MqttConnectionOptions();
        durable.setCleanStart(false);
        durable.setSessionExpiryInterval(3600L);
        MqttAsyncClient subscriber = new MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), "full-sub", new MemoryPersistence());
        MqttAsyncClient publisher = new MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), "full-pub", new MemoryPersistence());
        try {
            subscriber.connect(durable).waitForCompletion(10_000);
            subscriber.subscribe("full/t", 1).waitForCompletion(10_000);
            subscriber.disconnect().waitForCompletion(10_000);
            publisher.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            disk.fill();

            MqttMessage m = new MqttMessage("not stored".getBytes());
            m.setQos(1);
            IMqttToken token = publisher.publish("full/t", m);
            Throwable failed = catchThrowable(() -> token.waitForCompletion(30_000));

            int reason = failed instanceof MqttException e ? e.getReasonCode() : token.getReasonCodes()[0];
            assertThat(reason).as("PUBACK reason code").isEqualTo(0x97);
        } finally {
            publisher.disconnectForcibly(1000);
            publisher.close();
            subscriber.close();
        }
    }

    @Test
    void shouldSendStompAnErrorWhenASendCannotBeStored() throws Exception {
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            c.send("CONNECT", Map.of("accept-version", "1.2", "host", "/"), (String) null);
            assertThat(c.read().command()).isEqualTo("CONNECTED");
            c.send("SUBSCRIBE", Map.of("destination", "/queue/full-stomp", "id", "0", "receipt", "declared"), (String) null);
            assertThat(c.read().command()).isEqualTo("RECEIPT");
            c.send("UNSUBSCRIBE", Map.of("id", "0"), (String) null);
            disk.fill();

            c.send("SEND", Map.of("destination", "/queue/full-stomp", "persistent", "true", "receipt", "r1"), "not stored");
            StompTestClient.Frame error = c.read();

            assertThat(error.command()).isEqualTo("ERROR");
            assertThat(error.headers().get("message")).isEqualTo("message not stored  the disk is full");
            assertThat(error.headers().get("receipt-id")).isEqualTo("r1");
        }
    }
}
