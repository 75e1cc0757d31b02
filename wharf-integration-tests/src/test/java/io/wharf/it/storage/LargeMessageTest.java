package io.wharf.it.storage;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages larger than a segment, under the default configuration: each gets a segment of its
 * own, is acknowledged only once on disk, and comes back byte for byte.
 */
class LargeMessageTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldConfirmAndDeliverA100MiBAmqpMessageLargerThanAQueueSegment() throws Exception {
        byte[] body = randomBytes(100 << 20, 1);
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        // The Java client refuses bodies over 64 MiB on its own unless told otherwise.
        f.setMaxInboundMessageBodySize(128 << 20);
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("large", true, false, false, null);
            ch.confirmSelect();
            ch.basicPublish("", "large", MessageProperties.PERSISTENT_BASIC, "small before".getBytes());
            ch.basicPublish("", "large", MessageProperties.PERSISTENT_BASIC, body);
            ch.basicPublish("", "large", MessageProperties.PERSISTENT_BASIC, "small after".getBytes());
            ch.waitForConfirmsOrDie(120_000);

            assertThat(new String(ch.basicGet("large", true).getBody())).isEqualTo("small before");
            GetResponse large = ch.basicGet("large", true);
            assertThat(large.getBody()).hasSize(body.length).isEqualTo(body);
            assertThat(new String(ch.basicGet("large", true).getBody())).isEqualTo("small after");
        }
    }

    @Test
    void shouldStoreAndServeAKafkaRecordLargerThanItsTopicsSegments() throws Exception {
        String bootstrap = "127.0.0.1:" + wharf.kafkaPort();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("large", 1, (short) 1).configs(Map.of("segment.bytes", "1048576"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        byte[] value = randomBytes(6 << 20, 2);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("large", 0, null, "before".getBytes())).get();
            assertThat(producer.send(new ProducerRecord<>("large", 0, null, value)).get().offset()).isEqualTo(1);
            producer.send(new ProducerRecord<>("large", 0, null, "after".getBytes())).get();
        }

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition("large", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(60, TimeUnit.SECONDS).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= 3;
            });
        }
        assertThat(new String(values.get(0))).isEqualTo("before");
        assertThat(values.get(1)).isEqualTo(value);
        assertThat(new String(values.get(2))).isEqualTo("after");
    }
}
