package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.test.DebianTools;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * kcat, on librdkafka: the C client under most Kafka clients outside the JVM (confluent-kafka for
 * Python, Go and .NET among them). It asks for older API versions than kafka-clients and decides
 * from the advertised versions what it may send, so it checks what kafka-clients cannot.
 */
class KcatTest {

    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @BeforeAll
    static void install() {
        DebianTools.ensure("scripts/kcat.sh", KCAT);
    }

    /** Runs kcat against the broker with {@code input} on its standard input; returns what it printed. */
    private static String kcat(String input, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KCAT.toString(), "-b", "127.0.0.1:" + wharf.kafkaPort()));
        command.addAll(List.of(args));
        return ClientProgram.run(command, input, Map.of());
    }

    private static List<String> lines(String printed) {
        return printed.lines().filter(l -> !l.startsWith("%")).toList();
    }

    private static void produce(String topic, int from, int count) {
        try (KafkaProducer<String, String> p = KafkaClients.producer(wharf.kafkaPort(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, 0, "k" + i, "v" + i);
                r.headers().add("n", String.valueOf(i).getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        }
    }

    @Test
    void shouldTakeKeyedRecordsWithHeadersInEveryCompressionFromKcat() throws Exception {
        for (String codec : CODECS) {
            kcat("key-" + codec + ":value-" + codec + "\n", "-P", "-t", "from-kcat", "-K:", "-z", codec,
                    "-H", "codec=" + codec, "-X", "enable.idempotence=true");
        }
        try (KafkaConsumer<String, String> c = KafkaClients.consumer(wharf.kafkaPort(), Map.of())) {
            TopicPartition tp = new TopicPartition("from-kcat", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(got::add);
                return got.size() >= CODECS.size();
            });
            assertThat(got).extracting(ConsumerRecord::key).containsExactlyElementsOf(CODECS.stream().map(z -> "key-" + z).toList());
            assertThat(got).extracting(ConsumerRecord::value).containsExactlyElementsOf(CODECS.stream().map(z -> "value-" + z).toList());
            for (ConsumerRecord<String, String> r : got) {
                Header h = r.headers().lastHeader("codec");
                assertThat(new String(h.value(), StandardCharsets.UTF_8)).isEqualTo(r.key().substring("key-".length()));
            }
        }
    }

    @Test
    void shouldServeKcatConsumersOffsetQueriesAndMetadata() throws Exception {
        produce("to-kcat", 0, 20);
        List<String> read = lines(kcat("", "-C", "-t", "to-kcat", "-o", "beginning", "-e", "-f", "%k=%s %h at %o\\n"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("k" + i + "=v" + i + " n=" + i + " at " + i);
        }
        assertThat(read).containsExactlyElementsOf(expected);

        assertThat(lines(kcat("", "-C", "-t", "to-kcat", "-o", "15", "-e", "-f", "%s\\n")))
                .containsExactly("v15", "v16", "v17", "v18", "v19");
        assertThat(kcat("", "-Q", "-t", "to-kcat:0:-1")).contains("to-kcat [0] offset 20");
        assertThat(kcat("", "-Q", "-t", "to-kcat:0:-2")).contains("to-kcat [0] offset 0");
        assertThat(kcat("", "-L", "-J")).contains("\"topic\":\"to-kcat\"");
    }

    @Test
    void shouldKeepAKcatConsumerGroupsCommittedOffsets() throws Exception {
        produce("kcat-group", 0, 10);
        String[] readGroup = {"-G", "kcat-readers", "-X", "auto.offset.reset=earliest", "-e", "-f", "%s\\n", "kcat-group"};
        assertThat(lines(kcat("", readGroup))).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 10).mapToObj(i -> "v" + i).toList());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("kcat-readers")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.get(new TopicPartition("kcat-group", 0)).offset()).isEqualTo(10);
        }
        produce("kcat-group", 10, 1);
        assertThat(lines(kcat("", readGroup))).containsExactly("v10");
    }
}
