package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A kafka-clients 3.x release (copied beside the tests by the build) drives the broker from a JVM
 * of its own, since two kafka-clients versions cannot share one class path: admin, an idempotent
 * producer and a consumer group.
 */
class Kafka3ClientTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldServeAKafka3Client() throws IOException, InterruptedException {
        Path libs = Path.of("target", "kafka3-clients");
        Path program = Path.of("src", "test", "resources", "kafka3", "Kafka3Client.java");
        String out = ClientProgram.run(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", libs.toAbsolutePath() + "/*", program.toString(), "127.0.0.1:" + wharf.kafkaPort()), "", Map.of());
        assertThat(out).contains("kafka-clients 3.9.2: produced 100, consumed 100, nothing again after the commit"
                + "; read_committed saw 10 committed records and none aborted");
    }
}
