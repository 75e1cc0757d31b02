package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.test.DebianTools;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Kafka clients written from scratch in other languages, not on librdkafka (see {@link KcatTest}):
 * kafka-python and KafkaJS, each running a program of its own from the test resources against the
 * broker. Both choose older API versions than kafka-clients and check the answers their own way.
 */
class OtherLanguageClientsTest {

    private static final Path PROGRAMS = Path.of("src", "test", "resources", "clients");

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    private String bootstrap() {
        return "127.0.0.1:" + wharf.kafkaPort();
    }

    @Test
    void shouldServeKafkaPython() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        DebianTools.ensure("scripts/kafka-python.sh", python, Path.of("/usr/lib/python3/dist-packages/kafka/__init__.py"));
        String out = ClientProgram.run(List.of(python.toString(), PROGRAMS.resolve("kafka_python_client.py").toString(), bootstrap()),
                "", Map.of());
        assertThat(out).contains("created, produced 30, consumed 30 with keys and headers, committed 30, nothing again, deleted");
    }

    @Test
    void shouldServeKafkaJs() throws Exception {
        Path modules = Path.of("target", "kafkajs", "node_modules").toAbsolutePath();
        DebianTools.ensure("scripts/kafkajs.sh", Path.of("/usr/bin/node"), modules.resolve("kafkajs").resolve("package.json"));
        String out = ClientProgram.run(List.of("/usr/bin/node", PROGRAMS.resolve("kafkajs_client.js").toString(), bootstrap()),
                "", Map.of("NODE_PATH", modules.toString(), "KAFKAJS_NO_PARTITIONER_WARNING", "1"));
        assertThat(out).contains("kafkajs: created, produced 30, consumed 30 with keys and headers, committed 30"
                + ", read_committed skipped the aborted transaction, deleted");
    }
}
