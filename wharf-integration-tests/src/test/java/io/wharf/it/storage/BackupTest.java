package io.wharf.it.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.wharf.it.support.ApiClient;
import io.wharf.it.support.CliRunner;
import io.wharf.server.WharfServer;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An online backup while an AMQP publisher and a Kafka producer and consumer group keep working,
 * then a restore into a new data directory and a broker started on it: every message confirmed
 * before the backup started is there, nothing acknowledged before it comes back, every record
 * acknowledged before it is at its offset, and the group resumes at its committed offset.
 */
class BackupTest {

    /** Messages and records each load loop sends at most. */
    private static final int LOAD = 20_000;

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    @TempDir
    Path dir;

    private CliRunner.Run cli(String... args) {
        return CliRunner.forPort(wharf.httpPort()).run(args);
    }

    @Test
    void shouldBackUpUnderLoadAndRestoreEveryConfirmedMessageAndGroupOffset() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        String bootstrap = "127.0.0.1:" + wharf.kafkaPort();
        AtomicBoolean running = new AtomicBoolean(true);
        Set<Long> confirmed = ConcurrentHashMap.newKeySet();
        Map<Long, String> produced = new ConcurrentSkipListMap<>();
        AtomicLong committed = new AtomicLong(-1);

        try (Connection c = f.newConnection()) {
            Channel setup = c.createChannel();
            setup.queueDeclare("orders", true, false, false, null);

            // An AMQP publisher with confirms: message i is confirmed once its tag is.
            Channel pub = c.createChannel();
            pub.confirmSelect();
            Map<Long, Long> idByTag = new ConcurrentHashMap<>();
            pub.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long tag, boolean multiple) {
                    idByTag.keySet().removeIf(t -> {
                        if (t == tag || (multiple && t <= tag)) {
                            confirmed.add(idByTag.get(t));
                            return true;
                        }
                        return false;
                    });
                }

                @Override
                public void handleNack(long tag, boolean multiple) {
                    idByTag.keySet().removeIf(t -> t == tag || (multiple && t <= tag));
                }
            });
            Thread amqpPublisher = Thread.ofPlatform().name("backup-amqp-publisher").start(() -> {
                try {
                    for (long i = 0; running.get() && i < LOAD; i++) {
                        idByTag.put(pub.getNextPublishSeqNo(), i);
                        pub.basicPublish("", "orders", MessageProperties.PERSISTENT_BASIC, Long.toString(i).getBytes());
                        if (i % 100 == 0) {
                            pub.waitForConfirms(10_000);
                        }
                    }
                } catch (Exception stopped) {
                    // the test is over
                }
            });

            // A Kafka producer and a group that consumes and commits as it goes.
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
            Thread kafkaProducer = Thread.ofPlatform().name("backup-kafka-producer").start(() -> {
                for (int i = 0; running.get() && i < LOAD; i++) {
                    String value = "event-" + i;
                    producer.send(new ProducerRecord<>("events", 0, null, value), (md, e) -> {
                        if (e == null) {
                            produced.put(md.offset(), value);
                        }
                    });
                    if (i % 200 == 0) {
                        producer.flush();
                    }
                }
            });
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            Thread groupMember = Thread.ofPlatform().name("backup-group-member").start(() -> {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                    consumer.subscribe(List.of("events"));
                    while (running.get()) {
                        if (!consumer.poll(Duration.ofMillis(100)).isEmpty()) {
                            consumer.commitSync();
                            committed.set(consumer.position(new TopicPartition("events", 0)));
                        }
                    }
                }
            });

            // An AMQP consumer acknowledges what it takes, then stops: its acknowledgements are
            // all processed once its channel has closed.
            await().atMost(60, TimeUnit.SECONDS).until(() -> confirmed.size() > 2000);
            Set<Long> ackedBefore = new HashSet<>();
            Channel consumer = c.createChannel();
            for (int i = 0; i < 1000; i++) {
                GetResponse r = consumer.basicGet("orders", false);
                consumer.basicAck(r.getEnvelope().getDeliveryTag(), false);
                ackedBefore.add(Long.parseLong(new String(r.getBody())));
            }
            consumer.close();
            await().atMost(60, TimeUnit.SECONDS).until(() -> committed.get() > 0 && produced.size() > 2000);

            Set<Long> confirmedBefore = Set.copyOf(confirmed);
            Map<Long, String> producedBefore = Map.copyOf(produced);
            long committedBefore = committed.get();
            Path backup = dir.resolve("backup");
            CliRunner.Run backedUp = cli("backup", backup.toString(), "--json");
            running.set(false);
            amqpPublisher.join(30_000);
            kafkaProducer.join(30_000);
            groupMember.join(30_000);
            producer.close();

            assertThat(backedUp.exitCode()).as(backedUp.err()).isZero();
            JsonNode status = ApiClient.JSON.readTree(backedUp.out());
            assertThat(status.path("state").asText()).isEqualTo("done");
            assertThat(status.path("bytes_copied").asLong()).isEqualTo(status.path("bytes_total").asLong()).isPositive();

            Path restored = dir.resolve("restored");
            CliRunner.Run restore = cli("restore", backup.toString(), "--data-dir", restored.toString());
            assertThat(restore.exitCode()).as(restore.err()).isZero();
            CliRunner.Run verified = cli("storage", "verify", "--data-dir", restored.toString());
            assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();

            try (WharfServer second = WharfServer.builder().dataDir(restored).amqpPort(0).kafkaPort(0).mqttPort(0).httpPort(0)
                    .set("stomp.port", "0").set("mqtt.websocket-port", "0").set("stomp.websocket-port", "0").start()) {
                checkRestoredQueue(second, confirmedBefore, ackedBefore);
                checkRestoredStream(second, producedBefore, committedBefore);
            }
        }
    }

    private static void checkRestoredQueue(WharfServer restored, Set<Long> confirmedBefore, Set<Long> ackedBefore) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(restored.amqpPort());
        Set<Long> there = ConcurrentHashMap.newKeySet();
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            long count = ch.queueDeclarePassive("orders").getMessageCount();
            ch.basicConsume("orders", true, (tag, d) -> there.add(Long.parseLong(new String(d.getBody()))), tag -> { });
            await().atMost(60, TimeUnit.SECONDS).until(() -> there.size() >= count);
        }
        Set<Long> missing = new HashSet<>(confirmedBefore);
        missing.removeAll(there);
        missing.removeAll(ackedBefore);
        assertThat(missing).as("messages confirmed before the backup and not acknowledged").isEmpty();
        assertThat(there).as("messages acknowledged before the backup").doesNotContainAnyElementsOf(ackedBefore);
    }

    private static void checkRestoredStream(WharfServer restored, Map<Long, String> producedBefore, long committedBefore)
            throws Exception {
        String bootstrap = "127.0.0.1:" + restored.kafkaPort();
        TopicPartition tp = new TopicPartition("events", 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("g")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(offsets.get(tp).offset()).as("the group's committed offset").isGreaterThanOrEqualTo(committedBefore);
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<Long, String> records = new ConcurrentSkipListMap<>();
        long last = producedBefore.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(60, TimeUnit.SECONDS).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    records.put(r.offset(), r.value());
                }
                return consumer.position(tp) > last;
            });
        }
        producedBefore.forEach((offset, value) -> assertThat(records.get(offset)).as("record at %d", offset).isEqualTo(value));
    }
}
