package io.wharf.examples.topics;

import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.Brokers;
import io.wharf.examples.LogLine;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TopicsTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldMatchStarToOneWordAndHashToAny() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        LogLine kernInfo = new LogLine("kern.info", "eth0 up");
        LogLine kern = new LogLine("kern", "no severity");
        LogLine kernDiskCritical = new LogLine("kern.disk.critical", "sda failing");
        LogLine cronCritical = new LogLine("cron.critical", "job lost");
        LogLine cronInfo = new LogLine("cron.info", "job started");
        LogLine auditLoginFailed = new LogLine("audit.login.failed", "bad password");
        // Matches every binding below and is sent last: once it has arrived, so has everything else.
        LogLine kernCritical = new LogLine("kern.critical", "panic");

        Map<String, List<LogLine>> expected = new LinkedHashMap<>();
        expected.put("kern.*", List.of(kernInfo, kernCritical));
        expected.put("*.critical", List.of(cronCritical, kernCritical));
        expected.put("kern.#", List.of(kernInfo, kern, kernDiskCritical, kernCritical));
        expected.put("#", List.of(kernInfo, kern, kernDiskCritical, cronCritical, cronInfo, auditLoginFailed,
                kernCritical));
        expected.put("#.critical", List.of(kernDiskCritical, cronCritical, kernCritical));

        Map<String, List<LogLine>> received = new LinkedHashMap<>();
        List<ReceiveLogsTopic> receivers = new CopyOnWriteArrayList<>();
        try {
            for (String bindingKey : expected.keySet()) {
                List<LogLine> lines = new CopyOnWriteArrayList<>();
                received.put(bindingKey, lines);
                ReceiveLogsTopic receiver = new ReceiveLogsTopic(factory, List.of(bindingKey), lines::add);
                receivers.add(receiver);
                receiver.start();
            }

            EmitLogTopic.emit(factory, List.of(kernInfo, kern, kernDiskCritical, cronCritical, cronInfo,
                    auditLoginFailed, kernCritical));

            await().until(() -> received.values().stream().allMatch(lines -> lines.contains(kernCritical)));
            expected.forEach((bindingKey, lines) ->
                    assertThat(received.get(bindingKey)).as("binding key %s", bindingKey).containsExactlyElementsOf(lines));
        } finally {
            for (ReceiveLogsTopic receiver : receivers) {
                receiver.close();
            }
        }
    }

    @Test
    void shouldGiveALineMatchingSeveralPatternsOnlyOnce() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        LogLine kernCritical = new LogLine("kern.critical", "panic");
        LogLine kernInfo = new LogLine("kern.info", "eth0 up");
        List<LogLine> received = new CopyOnWriteArrayList<>();

        try (ReceiveLogsTopic receiver = new ReceiveLogsTopic(factory, List.of("kern.*", "*.critical", "#"),
                received::add)) {
            receiver.start();
            EmitLogTopic.emit(factory, List.of(kernCritical, kernInfo));

            await().until(() -> received.contains(kernInfo));
            assertThat(received).containsExactly(kernCritical, kernInfo);
        }
    }
}
