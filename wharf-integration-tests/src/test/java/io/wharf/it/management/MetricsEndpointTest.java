package io.wharf.it.management;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.wharf.it.support.ApiClient;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /metrics} over HTTP, as Prometheus scrapes it, while an AMQP client works. */
class MetricsEndpointTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

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
