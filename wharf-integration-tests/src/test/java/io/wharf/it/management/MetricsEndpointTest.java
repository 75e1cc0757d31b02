package io.wharf.it.management;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.wharf.it.support.ApiClient;
import io.wharf.test.DebianTools;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /metrics} over HTTP, as Prometheus scrapes it, while an AMQP client works. */
class MetricsEndpointTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private String scrape() {
        ApiClient.Answer a = new ApiClient(wharf.httpPort(), null, null).get("/metrics");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        return a.raw().body();
    }

    /** The value of one sample, found by its name and every one of its labels. */
    private static double value(String text, String name, Map<String, String> labels) {
        for (String line : text.split("\n")) {
            Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{(.*)})? (\\S+)$").matcher(line);
            if (m.matches() && labels.entrySet().stream().allMatch(e -> String.valueOf(m.group(2)).contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                return Double.parseDouble(m.group(3));
            }
        }
        return Double.NaN;
    }

    /** Prometheus' own linter accepts every family, the broker's and the JVM's alike. */
    @Test
    void shouldPassPromtoolsLint() throws Exception {
        DebianTools.ensure("scripts/promtool.sh", PROMTOOL);
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("linted", true, false, false, null);
            ch.queueDeclare("linted-stream", true, false, false, Map.of("x-queue-type", "stream"));
            ch.basicPublish("", "linted", null, new byte[10]);
            ch.basicPublish("", "linted-stream", null, new byte[10]);
            commitGroupOffset("linted-group", new TopicPartition("linted-stream", 0));
            String text = scrape();
            Process lint = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream in = lint.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String problems = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(lint.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(problems).isEmpty();
            assertThat(lint.exitValue()).isZero();
        }
    }

    private static void commitGroupOffset(String group, TopicPartition tp) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(1)));
        }
    }

    @Test
    void shouldCountWhatAnAmqpClientDoes() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        Map<String, String> queue = Map.of("vhost", "/", "queue", "metered");
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("metered", true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 5; i++) {
                ch.basicPublish("", "metered", null, new byte[100]);
            }
            ch.waitForConfirmsOrDie(10_000);
            await().untilAsserted(() -> {
                String text = scrape();
                assertThat(value(text, "wharf_queue_messages_published_total", queue)).isEqualTo(5);
                assertThat(value(text, "wharf_queue_messages_ready", queue)).isEqualTo(5);
                assertThat(value(text, "wharf_queue_disk_bytes", queue)).isPositive();
            });
            GetResponse got = ch.basicGet("metered", false);
            ch.basicAck(got.getEnvelope().getDeliveryTag(), false);
            await().untilAsserted(() -> {
                String text = scrape();
                assertThat(value(text, "wharf_queue_messages_delivered_total", queue)).isEqualTo(1);
                assertThat(value(text, "wharf_queue_messages_acknowledged_total", queue)).isEqualTo(1);
                assertThat(value(text, "wharf_queue_messages_ready", queue)).isEqualTo(4);
                assertThat(value(text, "wharf_storage_fsync_seconds_count", Map.of())).isPositive();
                assertThat(text).contains("jvm_memory_used_bytes", "process_cpu_usage");
            });
        }
    }
}
