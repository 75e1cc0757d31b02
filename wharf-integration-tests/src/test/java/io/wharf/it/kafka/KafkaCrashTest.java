package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.it.support.ChildBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An idempotent producer with acks=all keeps sending while the broker, in a child JVM, is killed
 * with SIGKILL and started again: every acknowledged record must be there afterwards, and each
 * exactly once. {@code -Dwharf.kafka.crash.cycles=N} runs more kills.
 */
class KafkaCrashTest {

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedRecordExactlyOnceThroughKills() throws Exception {
        int cycles = Integer.getInteger("wharf.kafka.crash.cycles", 3);
        long seed = Long.getLong("wharf.kafka.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int total = 6000;
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        try (ChildBroker broker = new ChildBroker(dir)) {
            broker.start();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.kafkaPort());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
            p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                Thread sender = new Thread(() -> {
                    for (int i = 0; i < total; i++) {
                        int id = i;
                        producer.send(new ProducerRecord<>("crash", 0, null, Integer.toString(id)), (md, e) -> {
                            if (e == null) {
                                acknowledged.add(id);
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                        if (id % 50 == 0) {
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException stop) {
                                return;
                            }
                        }
                    }
                }, "crash-producer");
                sender.start();
                for (int cycle = 0; cycle < cycles; cycle++) {
                    int before = acknowledged.size();
                    int wait = 200 + random.nextInt(800);
                    await().atMost(120, TimeUnit.SECONDS).until(() -> acknowledged.size() >= Math.min(total, before + wait));
                    broker.kill();
                    broker.start();
                }
                sender.join(TimeUnit.MINUTES.toMillis(3));
                producer.flush();
            }
            assertThat(failed.get()).as("sends that failed for good (seed %d)", seed).isZero();
            assertThat(acknowledged).hasSize(total);

            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.kafkaPort());
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            Map<Integer, Integer> copies = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                TopicPartition tp = new TopicPartition("crash", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                await().atMost(60, TimeUnit.SECONDS).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        copies.merge(Integer.parseInt(r.value()), 1, Integer::sum);
                    }
                    return consumer.position(tp) >= end;
                });
            }
            assertThat(copies.keySet()).as("acknowledged records after the kills (seed %d)", seed).containsAll(acknowledged);
            assertThat(copies.values()).as("records written more than once (seed %d)", seed).allMatch(n -> n == 1);
        }
    }
}
