package io.wharf.it.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.wharf.it.support.ApiClient;
import io.wharf.it.support.ChildBroker;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Damaged files cost only the damaged bytes, seen through real clients: a broker whose queue or
 * stream files were damaged starts, serves every intact message at its offset, keeps handing out
 * new offsets after the old ones, and shows what it skipped in the HTTP API and /metrics.
 */
class StorageDamageTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    @TempDir
    Path dir;

    /** The directory of the log whose name ends with {@code suffix} (names are escaped on disk, '/' as %2F). */
    private static Path logDir(Path dataDir, String suffix) throws IOException {
        try (Stream<Path> dirs = Files.list(dataDir.resolve("logs"))) {
            return dirs.filter(d -> d.getFileName().toString().endsWith(suffix)).findFirst().orElseThrow();
        }
    }

    private static Path newestSegment(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    /** Bytes of data in a segment: a crash leaves preallocated zeros after them. */
    private static long dataEnd(Path segment) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        int end = all.length;
        while (end > 0 && all[end - 1] == 0) {
            end--;
        }
        return end;
    }

    private static void overwrite(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String body(int i) {
        return "message-" + i + "-" + "x".repeat(100 + i % 50);
    }

    @Test
    void shouldStartAndServeEveryIntactMessageWhenAQueueSegmentIsDamagedAfterAKill() throws Exception {
        try (ChildBroker broker = new ChildBroker(dir)) {
            broker.start();
            ConnectionFactory f = new ConnectionFactory();
            f.setHost("127.0.0.1");
            f.setPort(broker.amqpPort());
            f.setAutomaticRecoveryEnabled(false);
            int count = 2000;
            Connection c = await().atMost(60, TimeUnit.SECONDS).ignoreExceptions().until(f::newConnection, x -> true);
            try (c) {
                Channel ch = c.createChannel();
                ch.queueDeclare("damaged", true, false, false, null);
                ch.queueDeclare("untouched", true, false, false, null);
                ch.confirmSelect();
                for (int i = 0; i < count; i++) {
                    ch.basicPublish("", "damaged", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i).getBytes(StandardCharsets.UTF_8));
                    ch.basicPublish("", "untouched", MessageProperties.PERSISTENT_TEXT_PLAIN, body(i).getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(30_000);
            }
            broker.kill();
            Path segment = newestSegment(logDir(broker.dataDir(), "%2Fdamaged"));
            overwrite(segment, dataEnd(segment) / 2, random(64, 42));

            broker.start();
            Map<Integer, String> seen = new TreeMap<>();
            Connection again = await().atMost(60, TimeUnit.SECONDS).ignoreExceptions().until(f::newConnection, x -> true);
            try (again) {
                Channel ch = again.createChannel();
                for (GetResponse r; (r = ch.basicGet("damaged", true)) != null; ) {
                    String b = new String(r.getBody(), StandardCharsets.UTF_8);
                    int i = Integer.parseInt(b.split("-")[1]);
                    assertThat(b).isEqualTo(body(i));
                    seen.put(i, b);
                }
                assertThat(ch.queueDeclarePassive("untouched").getMessageCount()).isEqualTo(count);
            }
            ApiClient api = new ApiClient(broker.httpPort(), "guest", "guest");
            JsonNode damage = api.get("/api/queues/%2F/damaged").json().path("damage");
            assertThat(damage.path("ranges").asInt()).isEqualTo(1);
            // Exactly the messages of the damaged batch are gone: the queue writes what one turn of
            // its actor received as one batch, and message i sits at offset i of the queue's log.
            JsonNode detail = damage.path("details").get(0);
            assertThat(detail.path("file").asText()).isEqualTo(segment.toString());
            long first = detail.path("first_offset").asLong();
            long next = detail.path("next_offset").asLong();
            long skipped = damage.path("messages_skipped").asLong();
            assertThat(skipped).isPositive().isLessThan(count).isEqualTo(next - first);
            Set<Integer> lost = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                if (!seen.containsKey(i)) {
                    lost.add(i);
                }
            }
            assertThat(lost).containsExactlyElementsOf(
                    LongStream.range(first, next).mapToObj(o -> (int) o).toList());
            assertThat(api.get("/api/queues/%2F/untouched").json().path("damage").path("ranges").asInt()).isZero();
            assertThat(api.get("/metrics").raw().body()).contains("wharf_storage_damaged_ranges 1.0");
        }
    }

    private KafkaProducer<String, String> producer() {
        return producer(Map.of());
    }

    private KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    /** Every record of partition 0 of {@code topic}, by offset, read from the beginning to the end. */
    private Map<Long, String> readAll(String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<Long, String> out = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            await().atMost(60, TimeUnit.SECONDS).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.put(r.offset(), r.value());
                }
                return consumer.position(tp) >= end;
            });
        }
        return out;
    }

    private long endOffset(String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** Sends {@code count} records, each a batch of its own (batching off), and waits for every acknowledgement. */
    private void produce(String topic, int count) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 0))) {
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, body(i))));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
    }

    @Test
    void shouldKeepTheEndOffsetAndEveryIntactRecordWhenTheTailOfAStreamSegmentIsCut() throws Exception {
        int count = 3000;
        produce("cut", count);
        long end = endOffset("cut");
        assertThat(end).isEqualTo(count);

        wharf.restart(data -> {
            Path segment = newestSegment(logDir(data, "cut%2F0"));
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 100);
            }
        });

        assertThat(endOffset("cut")).isEqualTo(end);
        RecordMetadata next;
        try (KafkaProducer<String, String> producer = producer()) {
            next = producer.send(new ProducerRecord<>("cut", 0, null, "after the damage")).get();
        }
        assertThat(next.offset()).isEqualTo(end);
        Map<Long, String> all = readAll("cut");
        assertThat(all.get(0L)).isEqualTo(body(0));
        assertThat(all.get(end)).isEqualTo("after the damage");
        all.forEach((offset, value) -> {
            if (offset < end) {
                assertThat(value).isEqualTo(body(offset.intValue()));
            }
        });
        assertThat(all.size()).isBetween(count - 1, count);

        ApiClient api = new ApiClient(wharf.httpPort(), "guest", "guest");
        JsonNode stream = api.get("/api/streams/%2F/cut").json();
        assertThat(stream.path("messages").asLong()).isEqualTo(end + 1);
        JsonNode partition = stream.path("partition_details").get(0);
        assertThat(partition.path("high_watermark").asLong()).isEqualTo(end + 1);
        assertThat(partition.path("damage").path("ranges").asInt()).isEqualTo(1);
        assertThat(partition.path("damage").path("details").get(0).path("next_offset").asLong()).isEqualTo(end);
    }

    @Test
    void shouldServeEveryIntactRecordAroundDamageInTheMiddleOfACleanlyClosedStream() throws Exception {
        int count = 3000;
        produce("middle", count);

        wharf.restart(data -> {
            Path segment = newestSegment(logDir(data, "middle%2F0"));
            overwrite(segment, Files.size(segment) - 20 * 1024, random(64, 7));
        });

        Map<Long, String> all = readAll("middle");
        ApiClient api = new ApiClient(wharf.httpPort(), "guest", "guest");
        JsonNode damage = api.get("/api/streams/%2F/middle").json().path("partition_details").get(0).path("damage");
        assertThat(damage.path("ranges").asInt()).isEqualTo(1);
        JsonNode range = damage.path("details").get(0);
        long firstLost = range.path("first_offset").asLong();
        long nextKept = range.path("next_offset").asLong();
        // Every record before the damaged batch and after it arrives, each at its offset.
        for (long o = 0; o < count; o++) {
            if (o < firstLost || o >= nextKept) {
                assertThat(all.get(o)).as("record at offset %d", o).isEqualTo(body((int) o));
            } else {
                assertThat(all).doesNotContainKey(o);
            }
        }
        assertThat(nextKept - firstLost).isBetween(1L, 2L);
        assertThat(api.get("/metrics").raw().body()).contains("wharf_storage_damaged_ranges 1.0");
    }
}
