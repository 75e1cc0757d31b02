package io.wharf.test;

import io.wharf.core.Lifecycle;
import io.wharf.server.WharfServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

class WharfExtensionTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension().with("storage.fsync", "never");

    @Test
    void shouldStartABrokerOnAFreePortWithItsOwnDataDirectory(WharfServer server) throws Exception {
        assertThat(server.state()).isEqualTo(Lifecycle.RUNNING);
        assertThat(server.httpPort()).isPositive();
        assertThat(Files.isDirectory(wharf.dataDir())).isTrue();
        assertThat(server.config().storage().fsync().toString()).isEqualTo("never");

        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"running\"}");
    }

    @Test
    void shouldKeepDataAcrossARestart() throws Exception {
        wharf.server().broker().storage().metadata().put("definition", new byte[] {42}).get();
        int port = wharf.httpPort();

        WharfServer restarted = wharf.restart();

        assertThat(restarted.httpPort()).isEqualTo(port);
        assertThat(restarted.broker().storage().metadata().get("definition")).hasValueSatisfying(v -> assertThat(v).containsExactly(42));
    }
}
