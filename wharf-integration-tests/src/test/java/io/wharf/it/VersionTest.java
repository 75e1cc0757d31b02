package io.wharf.it;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.it.support.ApiClient;
import io.wharf.it.support.CliRunner;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One version everywhere the broker reports one: AMQP, STOMP, the HTTP API (and so the console) and the command line. */
class VersionTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldReportTheProjectVersionEverywhere() throws Exception {
        String version = new ApiClient(wharf.httpPort(), "guest", "guest").get("/api/overview").json()
                .path("wharf_version").asText();
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");

        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection()) {
            assertThat(c.getServerProperties().get("version")).hasToString(version);
        }
        try (StompTestClient stomp = new StompTestClient(wharf.stompPort())) {
            assertThat(stomp.request("CONNECT", Map.of("accept-version", "1.2", "host", "/"), null).header("server"))
                    .isEqualTo("Wharf/" + version);
        }
        CliRunner.Run cli = CliRunner.forPort(wharf.httpPort()).run("--version");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).startsWith("Wharf " + version + "\n");
        assertThat(CliRunner.forPort(wharf.httpPort()).run("status").out()).contains("Wharf " + version);
    }
}
