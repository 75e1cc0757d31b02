package io.wharf.it;

import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A WebSocket port answers a path it does not serve with 404 straight away, for MQTT and STOMP alike. */
class WebSocketPathTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private static int port(String protocol) {
        return protocol.equals("mqtt") ? wharf.mqttWebSocketPort() : wharf.stompWebSocketPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "stomp"})
    void shouldRefuseAWebSocketUpgradeToAnotherPathWith404(String protocol) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Throwable refused = catchThrowable(() -> http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port(protocol) + "/nowhere"), new WebSocket.Listener() { })
                .join());
        assertThat(refused).isInstanceOf(CompletionException.class).cause().isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "stomp"})
    void shouldAnswerAPlainRequestToAnotherPathWith404(String protocol) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(protocol) + "/index.html"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("no WebSocket endpoint");
    }
}
