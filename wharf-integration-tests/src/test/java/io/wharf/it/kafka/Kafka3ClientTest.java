package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        Path output = Path.of("target", "kafka3-client.out");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", libs.toAbsolutePath() + "/*", program.toString(), "127.0.0.1:" + wharf.kafkaPort())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = p.waitFor(3, TimeUnit.MINUTES);
        String out = Files.readString(output, StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("kafka-clients 3.9.2: produced 100, consumed 100, nothing again after the commit"
                + "; read_committed saw 10 committed records and none aborted");
    }
}
