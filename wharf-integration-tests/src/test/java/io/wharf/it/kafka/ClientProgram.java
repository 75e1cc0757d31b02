package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Kafka client outside this JVM (kcat, another language's client), run to its end within a time limit. */
final class ClientProgram {

    private ClientProgram() {
    }

    /**
     * Runs {@code command} with {@code input} on its standard input and {@code environment} added to
     * ours; asserts that it exits with 0 within two minutes and returns what it printed.
     */
    static String run(List<String> command, String input, Map<String, String> environment) throws IOException, InterruptedException {
        Path out = Files.createTempFile("client", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().putAll(environment);
            Process p = builder.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            boolean exited = p.waitFor(2, TimeUnit.MINUTES);
            if (!exited) {
                p.destroyForcibly();
            }
            String printed = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(exited).as("%s finished: %s", command, printed).isTrue();
            assertThat(p.exitValue()).as("%s: %s", command, printed).isZero();
            return printed;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
