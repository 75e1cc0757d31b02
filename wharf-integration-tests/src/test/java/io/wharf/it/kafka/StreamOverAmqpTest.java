package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.AMQP;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Records a Kafka producer wrote, read by the RabbitMQ Java client as a stream queue. */
class StreamOverAmqpTest {

    // One broker for the class: each test uses topics and transactional ids of its own.
    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private record Got(String body, String routingKey, Map<String, Object> headers, long tag) {
    }

    private void produce(String topic, int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = KafkaClients.producer(wharf.kafkaPort(), Map.of())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, null, 1_700_000_000_000L + i, "key-" + i, "event-" + i,
                        List.of(new RecordHeader("source", "kafka".getBytes(StandardCharsets.UTF_8))))).get();
            }
        }
    }

    private Connection amqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        return f.newConnection();
    }

    private static List<Got> consume(Channel ch, String queue, Object offset) throws IOException {
        List<Got> got = Collections.synchronizedList(new ArrayList<>());
        ch.basicQos(10);
        ch.basicConsume(queue, false, offset == null ? Map.of() : Map.of("x-stream-offset", offset), new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) throws IOException {
                got.add(new Got(new String(body, StandardCharsets.UTF_8), env.getRoutingKey(), props.getHeaders(), env.getDeliveryTag()));
                ch.basicAck(env.getDeliveryTag(), false);
            }
        });
        return got;
    }

    @Test
    void shouldReadAKafkaTopicAsAStreamQueueFromAnyOffset() throws Exception {
        produce("events", 0, 50);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive("events");
            assertThat(ok.getMessageCount()).isEqualTo(50);

            List<Got> all = consume(ch, "events", "first");
            await().atMost(20, TimeUnit.SECONDS).until(() -> all.size() == 50);
            Got first = all.get(0);
            assertThat(first.body()).isEqualTo("event-0");
            assertThat(first.routingKey()).isEqualTo("key-0");
            assertThat(first.headers()).containsEntry("x-stream-offset", 0L);
            assertThat(first.headers().get("source").toString()).isEqualTo("kafka");

            Channel second = c.createChannel();
            List<Got> fromOffset = consume(second, "events", 45);
            await().atMost(20, TimeUnit.SECONDS).until(() -> fromOffset.size() == 5);
            assertThat(fromOffset).extracting(Got::body).containsExactly("event-45", "event-46", "event-47", "event-48", "event-49");

            Channel third = c.createChannel();
            List<Got> onlyNew = consume(third, "events", "next");
            produce("events", 50, 53);
            await().atMost(20, TimeUnit.SECONDS).until(() -> onlyNew.size() == 3 && all.size() == 53);
            assertThat(onlyNew).extracting(Got::body).containsExactly("event-50", "event-51", "event-52");

            // A timestamp (whole seconds in AMQP) starts at the first record at or after it, or at
            // the end when there is none yet.
            List<Got> sinceEpoch = consume(c.createChannel(), "events", new java.util.Date(0));
            List<Got> fromTomorrow = consume(c.createChannel(), "events", new java.util.Date(System.currentTimeMillis() + 86_400_000L));
            await().atMost(20, TimeUnit.SECONDS).until(() -> sinceEpoch.size() == 53);
            assertThat(sinceEpoch.get(0).body()).isEqualTo("event-0");
            produce("events", 53, 54);
            await().atMost(20, TimeUnit.SECONDS).until(() -> sinceEpoch.size() == 54 && fromTomorrow.size() == 1);
            assertThat(fromTomorrow).extracting(Got::body).containsExactly("event-53");
        }
    }

    @Test
    void shouldDeliverOnlyCommittedTransactionsToAmqpConsumers() throws Exception {
        try (KafkaProducer<String, String> tx = KafkaClients.producer(wharf.kafkaPort(),
                Map.of(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "amqp-tx"))) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("ledger", 0, "a", "kept-1"));
            tx.send(new ProducerRecord<>("ledger", 0, "b", "kept-2"));
            tx.commitTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("ledger", 0, "c", "dropped"));
            tx.flush();
            tx.abortTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("ledger", 0, "d", "open"));
            tx.flush();

            try (Connection c = amqp()) {
                List<Got> got = consume(c.createChannel(), "ledger", "first");
                await().atMost(20, TimeUnit.SECONDS).until(() -> got.size() == 2);
                // Neither markers, nor the aborted record, nor the open transaction's record are delivered.
                tx.commitTransaction();
                await().atMost(20, TimeUnit.SECONDS).until(() -> got.size() == 3);
                assertThat(got).extracting(Got::body).containsExactly("kept-1", "kept-2", "open");
            }
        }
    }

    @Test
    void shouldLetKafkaConsumersReadWhatAmqpPublishesToAStream() throws Exception {
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("orders", true, false, false, Map.of("x-queue-type", "stream"));
            ch.confirmSelect();
            for (int i = 0; i < 5; i++) {
                ch.basicPublish("", "orders", new AMQP.BasicProperties.Builder().contentType("text/plain")
                        .headers(Map.of("region", "eu", "n", i)).build(), ("order-" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);

            List<Got> overAmqp = consume(c.createChannel(), "orders", "first");
            await().atMost(20, TimeUnit.SECONDS).until(() -> overAmqp.size() == 5);
            assertThat(overAmqp.get(2).body()).isEqualTo("order-2");
            assertThat(overAmqp.get(2).headers()).containsEntry("x-stream-offset", 2L).containsKey("region");
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition("orders", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            await().atMost(20, TimeUnit.SECONDS).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                return got.size() == 5;
            });
            ConsumerRecord<String, String> third = got.get(2);
            assertThat(third.key()).as("the routing key").isEqualTo("orders");
            assertThat(third.value()).isEqualTo("order-2");
            assertThat(new String(third.headers().lastHeader("region").value(), StandardCharsets.UTF_8)).isEqualTo("eu");
            assertThat(new String(third.headers().lastHeader("n").value(), StandardCharsets.UTF_8)).isEqualTo("2");
        }
    }

    @Test
    void shouldRouteThroughExchangesBoundToAStreamQueueAcrossARestart() throws Exception {
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("telemetry", "topic", true);
            ch.queueDeclare("readings", true, false, false, Map.of("x-queue-type", "stream"));
            ch.queueBind("readings", "telemetry", "sensor.#");
        }
        wharf.restart();
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish("telemetry", "sensor.kitchen", null, "21.5".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("telemetry", "door.front", null, "open".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("telemetry", "sensor.garage", null, "18.0".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            List<Got> got = consume(c.createChannel(), "readings", "first");
            await().atMost(20, TimeUnit.SECONDS).until(() -> got.size() == 2);
            assertThat(got).extracting(Got::body).containsExactly("21.5", "18.0");
            assertThat(got).extracting(Got::routingKey).containsExactly("sensor.kitchen", "sensor.garage");

            Channel admin = c.createChannel();
            admin.queueDelete("readings");
            admin.confirmSelect();
            admin.basicPublish("telemetry", "sensor.attic", true, null, "19.0".getBytes(StandardCharsets.UTF_8));
            admin.waitForConfirmsOrDie(10_000);
            assertThatThrownBy(() -> admin.queueDeclarePassive("readings")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void shouldDeclareAStreamQueueOverAmqpAndReadWhatKafkaWritesToIt() throws Exception {
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("audit", true, false, false, Map.of("x-queue-type", "stream"));
            produce("audit", 0, 3);
            List<Got> got = consume(ch, "audit", "first");
            await().atMost(20, TimeUnit.SECONDS).until(() -> got.size() == 3);
            assertThat(got).extracting(Got::body).containsExactly("event-0", "event-1", "event-2");

            Channel noPrefetch = c.createChannel();
            assertThatThrownBy(() -> noPrefetch.basicConsume("audit", false, Map.of("x-stream-offset", "first"),
                    new DefaultConsumer(noPrefetch))).isInstanceOf(IOException.class);
            assertThat(noPrefetch.isOpen()).isFalse();

            Channel admin = c.createChannel();
            assertThat(admin.queueDeclarePassive("audit").getMessageCount()).isEqualTo(3);
            assertThat(admin.queueDelete("audit").getMessageCount()).isEqualTo(3);
            assertThatThrownBy(() -> admin.queueDeclarePassive("audit")).isInstanceOf(IOException.class)
                    .hasRootCauseMessage("channel error; protocol method: #method<channel.close>(reply-code=404, "
                            + "reply-text=NOT_FOUND - no queue 'audit' in vhost '/', class-id=50, method-id=10)");

            // A stream queue is durable and shared, as RabbitMQ requires.
            Channel transientOne = c.createChannel();
            assertThatThrownBy(() -> transientOne.queueDeclare("scratch", false, false, false, Map.of("x-queue-type", "stream")))
                    .isInstanceOf(IOException.class).hasRootCauseMessage("channel error; protocol method: #method<channel.close>"
                            + "(reply-code=406, reply-text=PRECONDITION_FAILED - a stream queue needs a name and must be durable, "
                            + "not exclusive and not auto-delete, class-id=50, method-id=10)");
        }
    }
}
