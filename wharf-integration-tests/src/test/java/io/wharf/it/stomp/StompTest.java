package io.wharf.it.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.wharf.it.stomp.StompTestClient.Frame;
import io.wharf.test.WharfExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** STOMP 1.0 to 1.2 over raw frames: destinations, acknowledgement modes, receipts, transactions, request/reply, AMQP and MQTT. */
class StompTest {

    // One broker for the class: each test uses destinations of its own.
    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private Connection amqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        return f.newConnection();
    }

    @Test
    void shouldNegotiateTheHighestCommonVersionAndHeartBeats() throws Exception {
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            Frame f = c.request("CONNECT", Map.of("accept-version", "1.0,1.1", "host", "/", "heart-beat", "0,5000"), null);
            assertThat(f.command()).isEqualTo("CONNECTED");
            assertThat(f.header("version")).isEqualTo("1.1");
            assertThat(f.header("heart-beat")).isEqualTo("10000,10000");
            assertThat(f.header("session")).isNotBlank();
        }
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            // No accept-version: a STOMP 1.0 client.
            assertThat(c.request("CONNECT", Map.of(), null).header("version")).isEqualTo("1.0");
        }
    }

    @Test
    void shouldSendToAQueueWithAReceiptAndDeliverBodiesWithNulBytes() throws Exception {
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            byte[] binary = {1, 0, 2, 0, 3};
            c.send("SEND", Map.of("destination", "/queue/work", "receipt", "sent-1", "content-type", "application/octet-stream",
                    "persistent", "true", "tenant", "acme", "note", "a\\cb\\nc"), binary);
            Frame receipt = c.read();
            assertThat(receipt.command()).isEqualTo("RECEIPT");
            assertThat(receipt.header("receipt-id")).isEqualTo("sent-1");

            assertThat(c.withReceipt("SUBSCRIBE", Map.of("destination", "/queue/work", "id", "s1"), null).command()).isEqualTo("RECEIPT");
            Frame m = c.read();
            assertThat(m.command()).isEqualTo("MESSAGE");
            assertThat(m.body()).containsExactly(binary);
            assertThat(m.header("subscription")).isEqualTo("s1");
            assertThat(m.header("destination")).isEqualTo("/queue/work");
            assertThat(m.header("content-type")).isEqualTo("application/octet-stream");
            assertThat(m.header("persistent")).isEqualTo("true");
            assertThat(m.header("tenant")).isEqualTo("acme");
            // STOMP 1.2 escapes ':' and line breaks in header values, both ways.
            assertThat(m.header("note")).isEqualTo("a\\cb\\nc");
        }
    }

    @Test
    void shouldRedeliverNackedMessagesAndAckCumulativelyInClientMode() throws Exception {
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            for (int i = 0; i < 3; i++) {
                c.withReceipt("SEND", Map.of("destination", "/queue/jobs"), "job-" + i);
            }
            c.withReceipt("SUBSCRIBE", Map.of("destination", "/queue/jobs", "id", "w", "ack", "client-individual"), null);
            Frame first = c.read();
            Frame second = c.read();
            Frame third = c.read();
            assertThat(List.of(first.text(), second.text(), third.text())).containsExactly("job-0", "job-1", "job-2");
            c.withReceipt("ACK", Map.of("id", first.header("ack")), null);
            c.withReceipt("NACK", Map.of("id", second.header("ack")), null);
            Frame again = c.read();
            assertThat(again.text()).isEqualTo("job-1");
            assertThat(again.header("redelivered")).isEqualTo("true");
            c.withReceipt("ACK", Map.of("id", third.header("ack")), null);
            c.withReceipt("ACK", Map.of("id", again.header("ack")), null);
        }
        try (Connection a = amqp()) {
            assertThat(a.createChannel().messageCount("jobs")).isZero();
        }
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            for (int i = 0; i < 5; i++) {
                c.withReceipt("SEND", Map.of("destination", "/queue/batch"), "b-" + i);
            }
            c.withReceipt("SUBSCRIBE", Map.of("destination", "/queue/batch", "id", "b", "ack", "client", "prefetch-count", "5"), null);
            Frame last = null;
            for (int i = 0; i < 5; i++) {
                last = c.read();
            }
            // One ACK in client mode acknowledges the message and all before it.
            c.withReceipt("ACK", Map.of("id", last.header("ack")), null);
            c.withReceipt("UNSUBSCRIBE", Map.of("id", "b"), null);
        }
        try (Connection a = amqp()) {
            assertThat(a.createChannel().messageCount("batch")).isZero();
        }
    }

    @Test
    void shouldSendOnlyCommittedTransactions() throws Exception {
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            c.withReceipt("SUBSCRIBE", Map.of("destination", "/queue/ledger", "id", "l"), null);
            c.withReceipt("BEGIN", Map.of("transaction", "t1"), null);
            c.send("SEND", Map.of("destination", "/queue/ledger", "transaction", "t1"), "dropped");
            c.withReceipt("ABORT", Map.of("transaction", "t1"), null);
            c.withReceipt("BEGIN", Map.of("transaction", "t2"), null);
            c.send("SEND", Map.of("destination", "/queue/ledger", "transaction", "t2"), "kept-1");
            c.withReceipt("SEND", Map.of("destination", "/queue/ledger", "transaction", "t2"), "kept-2");
            c.send("COMMIT", Map.of("transaction", "t2", "receipt", "committed"), (String) null);
            // Frames are handled in order: the COMMIT's receipt comes after its sends were handled,
            // and no second receipt comes for the send that had one when it joined the transaction.
            List<String> seen = new ArrayList<>();
            while (seen.size() < 3) {
                Frame f = c.read();
                seen.add(f.command().equals("MESSAGE") ? f.text() : f.command() + ":" + f.header("receipt-id"));
            }
            assertThat(seen).contains("kept-1", "kept-2", "RECEIPT:committed");
        }
    }

    @Test
    void shouldFanOutTopicsAndRouteThroughNamedExchanges() throws Exception {
        try (StompTestClient a = StompTestClient.connected(wharf.stompPort());
             StompTestClient b = StompTestClient.connected(wharf.stompPort());
             StompTestClient pub = StompTestClient.connected(wharf.stompPort())) {
            a.withReceipt("SUBSCRIBE", Map.of("destination", "/topic/prices.*", "id", "a"), null);
            b.withReceipt("SUBSCRIBE", Map.of("destination", "/topic/prices.#", "id", "b"), null);
            b.withReceipt("SUBSCRIBE", Map.of("destination", "/exchange/amq.direct/audit", "id", "audit"), null);
            pub.withReceipt("SEND", Map.of("destination", "/topic/prices.eur"), "1.08");
            pub.withReceipt("SEND", Map.of("destination", "/exchange/amq.direct/audit"), "logged");

            Frame fa = a.read();
            assertThat(fa.text()).isEqualTo("1.08");
            assertThat(fa.header("destination")).isEqualTo("/topic/prices.eur");
            List<String> got = List.of(b.read().text(), b.read().text());
            assertThat(got).containsExactlyInAnyOrder("1.08", "logged");
        }
    }

    @Test
    void shouldAnswerRequestsThroughTemporaryReplyQueues() throws Exception {
        try (StompTestClient server = StompTestClient.connected(wharf.stompPort());
             StompTestClient requester = StompTestClient.connected(wharf.stompPort())) {
            server.withReceipt("SUBSCRIBE", Map.of("destination", "/queue/rpc", "id", "rpc"), null);
            requester.withReceipt("SEND", Map.of("destination", "/queue/rpc", "reply-to", "/temp-queue/answers",
                    "correlation-id", "q-1"), "ping");

            Frame request = server.read();
            assertThat(request.text()).isEqualTo("ping");
            assertThat(request.header("reply-to")).startsWith("/reply-queue/");
            assertThat(request.header("correlation-id")).isEqualTo("q-1");
            server.withReceipt("SEND", Map.of("destination", request.header("reply-to"), "correlation-id", "q-1"), "pong");

            Frame reply = requester.read();
            assertThat(reply.text()).isEqualTo("pong");
            assertThat(reply.header("subscription")).isEqualTo("/temp-queue/answers");
            assertThat(reply.header("correlation-id")).isEqualTo("q-1");
        }
    }

    @Test
    void shouldMeetAmqpAndMqttClientsOnTheSameExchangesAndQueues() throws Exception {
        try (Connection a = amqp(); StompTestClient stomp = StompTestClient.connected(wharf.stompPort())) {
            Channel ch = a.createChannel();
            ch.queueDeclare("from-stomp", true, false, false, null);
            ch.queueBind("from-stomp", "amq.topic", "sensors.#");
            ch.queueDeclare("to-stomp", true, false, false, null);
            stomp.withReceipt("SUBSCRIBE", Map.of("destination", "/amq/queue/to-stomp", "id", "amqp"), null);
            stomp.withReceipt("SUBSCRIBE", Map.of("destination", "/topic/alerts.*", "id", "alerts"), null);

            // STOMP to AMQP, with properties mapped.
            stomp.withReceipt("SEND", Map.of("destination", "/topic/sensors.hall", "content-type", "text/plain",
                    "correlation-id", "c-9", "room", "hall", "note", "a\\cb\\nc"), "21.5");
            await().atMost(20, TimeUnit.SECONDS).until(() -> ch.messageCount("from-stomp") == 1);
            GetResponse r = ch.basicGet("from-stomp", true);
            assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("21.5");
            assertThat(r.getProps().getContentType()).isEqualTo("text/plain");
            assertThat(r.getProps().getCorrelationId()).isEqualTo("c-9");
            assertThat(r.getProps().getHeaders().get("room").toString()).isEqualTo("hall");
            assertThat(r.getProps().getHeaders().get("note").toString()).isEqualTo("a:b\nc");

            // AMQP to STOMP.
            ch.basicPublish("", "to-stomp", new AMQP.BasicProperties.Builder().contentType("application/json")
                    .headers(Map.of("origin", "amqp")).build(), "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
            Frame fromAmqp = stomp.read();
            assertThat(fromAmqp.text()).isEqualTo("{\"n\":1}");
            assertThat(fromAmqp.header("content-type")).isEqualTo("application/json");
            assertThat(fromAmqp.header("origin")).isEqualTo("amqp");

            // MQTT to STOMP and back.
            MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "stomp-peer", new MemoryPersistence());
            mqtt.connect();
            List<String> mqttGot = Collections.synchronizedList(new ArrayList<>());
            mqtt.subscribe("commands/+", 1, (t, m) -> mqttGot.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
            MqttMessage alert = new MqttMessage("smoke".getBytes(StandardCharsets.UTF_8));
            alert.setQos(1);
            mqtt.publish("alerts/kitchen", alert);
            Frame fromMqtt = stomp.read();
            assertThat(fromMqtt.text()).isEqualTo("smoke");
            assertThat(fromMqtt.header("destination")).isEqualTo("/topic/alerts.kitchen");
            stomp.withReceipt("SEND", Map.of("destination", "/topic/commands.fan"), "on");
            await().atMost(20, TimeUnit.SECONDS).until(() -> mqttGot.size() == 1);
            assertThat(mqttGot).containsExactly("commands/fan=on");
            mqtt.disconnect();
            mqtt.close();
        }
    }

    @Test
    void shouldServeStompOverWebSocket() throws Exception {
        List<String> frames = Collections.synchronizedList(new ArrayList<>());
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v12.stomp")
                .buildAsync(URI.create("ws://127.0.0.1:" + wharf.stompWebSocketPort() + "/ws"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(20, TimeUnit.SECONDS);
        ws.sendText("CONNECT\naccept-version:1.2\nhost:/\n\n\0", true).get(20, TimeUnit.SECONDS);
        ws.sendText("SUBSCRIBE\nid:0\ndestination:/topic/chat\n\n\0", true).get(20, TimeUnit.SECONDS);
        ws.sendText("SEND\ndestination:/topic/chat\nreceipt:1\n\nhello from a browser\0", true).get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> frames.stream().anyMatch(f -> f.startsWith("MESSAGE")));
        assertThat(frames.get(0)).startsWith("CONNECTED\n").contains("version:1.2");
        assertThat(frames).anyMatch(f -> f.startsWith("MESSAGE") && f.contains("hello from a browser"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
    }

    @Test
    void shouldAnswerBadInputWithAnErrorFrameAndClose() throws Exception {
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            Frame f = c.request("CONNECT", Map.of("accept-version", "2.0"), null);
            assertThat(f.command()).isEqualTo("ERROR");
            assertThat(f.header("version")).isEqualTo("1.0,1.1,1.2");
            assertThat(c.closedByBroker()).isTrue();
        }
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            Frame f = c.request("CONNECT", Map.of("accept-version", "1.2", "login", "guest", "passcode", "wrong"), null);
            assertThat(f.command()).isEqualTo("ERROR");
            assertThat(c.closedByBroker()).isTrue();
        }
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            assertThat(c.request("SEND", Map.of("destination", "/queue/x"), "too early").command()).isEqualTo("ERROR");
            assertThat(c.closedByBroker()).isTrue();
        }
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            Frame f = c.request("SEND", Map.of("destination", "/nowhere/x", "receipt", "r"), "lost");
            assertThat(f.command()).isEqualTo("ERROR");
            assertThat(f.header("receipt-id")).isEqualTo("r");
            assertThat(c.closedByBroker()).isTrue();
        }
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            assertThat(c.request("ACK", Map.of("id", "never-delivered"), null).command()).isEqualTo("ERROR");
        }
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            assertThat(c.request("SUBSCRIBE", Map.of("destination", "/amq/queue/missing", "id", "m"), null).command())
                    .isEqualTo("ERROR");
        }
        // The broker carries on.
        try (StompTestClient c = StompTestClient.connected(wharf.stompPort())) {
            assertThat(c.withReceipt("SEND", Map.of("destination", "/queue/after"), "fine").command()).isEqualTo("RECEIPT");
        }
    }
}
