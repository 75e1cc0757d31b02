package io.wharf.server;

import io.wharf.core.Lifecycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WharfCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = WharfCommand.commandLine(new WharfCommand(env, false)).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void shouldListItsOptionsInHelp() {
        Run r = run(Map.of(), "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--data-dir=DIR").contains("--config=FILE").contains("--help").contains("--version")
                .contains("docs/configuration.md").contains("Exit codes");
    }

    @Test
    void shouldListTheClientCommandsAndEveryExitCodeInHelp() {
        Run r = run(Map.of(), "--help");

        assertThat(r.out()).contains("server").contains("status").contains("queues, queue").contains("publish").contains("consume")
                .contains("users, user").contains("3   not found").contains("6   invalid input");
    }

    @Test
    void shouldTakeTheBrokersOptionsAfterServerToo() {
        Run r = run(Map.of(), "server", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: wharf server").contains("--data-dir=DIR").contains("--config=FILE")
                .contains("1   the broker could not start").doesNotContain("--url");
    }

    @Test
    void shouldExitWithTwoOnAnUnknownOption() {
        Run r = run(Map.of(), "--dataa-dir", "x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--dataa-dir");
    }

    @Test
    void shouldExitWithTwoBeforeTouchingDiskOrPortsWhenTheConfigurationIsInvalid() throws Exception {
        Path data = dir.resolve("data");
        Path config = dir.resolve("wharf.yaml");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Files.writeString(config, "http:\n  port: " + port + "\nstorage:\n  segment-size: huge\n");

        Run r = run(Map.of("WHARF_LOGGING_LEVEL", "loud"), "--config", config.toString(), "--data-dir", data.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("invalid configuration").contains("storage.segment-size = 'huge'")
                .contains("logging.level = 'loud'").contains("WHARF_LOGGING_LEVEL");
        assertThat(data).doesNotExist();
        try (ServerSocket stillFree = new ServerSocket(port)) {
            assertThat(stillFree.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void shouldExitWithTwoWhenTheConfigurationFileIsMissing() {
        Run r = run(Map.of(), "--config", dir.resolve("missing.yaml").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("missing.yaml").contains("does not exist");
    }

    @Test
    void shouldRunUntilStoppedAndThenCloseCleanly() throws Exception {
        Path data = dir.resolve("data");
        // The client commands' variables configure no broker key, and must not stop a broker from starting.
        Map<String, String> env = new HashMap<>(Map.of("WHARF_HTTP_PORT", "0", "WHARF_HTTP_HOST", "127.0.0.1", "WHARF_AMQP_PORT", "0",
                "WHARF_KAFKA_PORT", "0", "WHARF_MQTT_PORT", "0", "WHARF_MQTT_WEBSOCKET_PORT", "0", "WHARF_STOMP_PORT", "0",
                "WHARF_STOMP_WEBSOCKET_PORT", "0"));
        env.putAll(Map.of("WHARF_URL", "http://127.0.0.1:1", "WHARF_USER", "admin", "WHARF_PASSWORD", "pw"));
        WharfCommand command = new WharfCommand(env, false);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> WharfCommand.commandLine(command).execute("server", "--data-dir", data.toString()));

        await().atMost(30, TimeUnit.SECONDS).until(() -> command.server() != null);
        WharfServer server = command.server();
        assertThat(server.state()).isEqualTo(Lifecycle.RUNNING);
        assertThat(server.dataDir()).isEqualTo(data.toAbsolutePath().normalize());

        command.stop();

        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(server.state()).isEqualTo(Lifecycle.CLOSED);
        assertThat(data.resolve("metadata/journal/.clean-shutdown")).exists();
    }

    @Test
    void shouldExitWithOneWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Run r = run(Map.of("WHARF_HTTP_PORT", Integer.toString(taken.getLocalPort()), "WHARF_AMQP_PORT", "0", "WHARF_KAFKA_PORT", "0", "WHARF_MQTT_PORT", "0",
                "WHARF_MQTT_WEBSOCKET_PORT", "0", "WHARF_STOMP_PORT", "0", "WHARF_STOMP_WEBSOCKET_PORT", "0"),
                    "--data-dir", dir.resolve("data").toString());

            assertThat(r.exitCode()).isEqualTo(1);
        }
        // The storage was released: a second start on the same directory succeeds.
        try (WharfServer again = WharfServer.builder().dataDir(dir.resolve("data")).httpPort(0).amqpPort(0).kafkaPort(0).mqttPort(0)
                .set("mqtt.websocket-port", "0")
                .set("stomp.port", "0").set("stomp.websocket-port", "0").start()) {
            assertThat(again.state()).isEqualTo(Lifecycle.RUNNING);
        }
    }
}
