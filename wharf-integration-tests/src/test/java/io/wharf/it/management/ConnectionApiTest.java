package io.wharf.it.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.it.support.ApiClient;
import io.wharf.test.WharfExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Connections and channels of every protocol through the API, and closing one from it. */
class ConnectionApiTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private ApiClient api() {
        return new ApiClient(wharf.httpPort(), "guest", "guest");
    }

    private static String path(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode find(String protocol) {
        for (JsonNode c : api().get("/api/connections").json()) {
            if (c.get("protocol").asText().equals(protocol)) {
                return c;
            }
        }
        return null;
    }

    @Test
    void shouldListAmqpAndMqttConnectionsWithTheirChannelsAndCloseOne() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        f.setClientProperties(Map.of("connection_name", "order-service"));
        f.setAutomaticRecoveryEnabled(false);
        MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "sensor-7", new MemoryPersistence());
        Connection c = f.newConnection();
        try {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName("guest");
            o.setPassword("guest".toCharArray());
            mqtt.connect(o);
            Channel ch = c.createChannel();
            ch.basicQos(5);
            ch.queueDeclare("conn-q", false, false, true, null);
            ch.basicConsume("conn-q", false, "c1", new DefaultConsumer(ch));
            ch.basicPublish("", "conn-q", null, "hi".getBytes(StandardCharsets.UTF_8));

            await().untilAsserted(() -> {
                JsonNode amqp = find("AMQP");
                assertThat(amqp).isNotNull();
                assertThat(amqp.get("user").asText()).isEqualTo("guest");
                assertThat(amqp.get("vhost").asText()).isEqualTo("/");
                assertThat(amqp.get("client_id").asText()).isEqualTo("order-service");
                assertThat(amqp.get("peer_host").asText()).isEqualTo("127.0.0.1");
                assertThat(amqp.get("port").asInt()).isEqualTo(wharf.amqpPort());
                assertThat(amqp.get("channels").asInt()).isEqualTo(1);
                assertThat(amqp.get("recv_cnt").asLong()).isEqualTo(1);
                assertThat(amqp.get("send_cnt").asLong()).isEqualTo(1);
                assertThat(amqp.get("recv_oct").asLong()).isPositive();
                JsonNode mq = find("MQTT");
                assertThat(mq).isNotNull();
                assertThat(mq.get("client_id").asText()).isEqualTo("sensor-7");
            });
            String name = find("AMQP").get("name").asText();
            JsonNode channels = api().get("/api/connections/" + path(name) + "/channels").json();
            assertThat(channels).hasSize(1);
            assertThat(channels.get(0).get("consumer_count").asInt()).isEqualTo(1);
            assertThat(channels.get(0).get("prefetch_count").asInt()).isEqualTo(5);
            assertThat(api().get("/api/channels").json().findValuesAsText("protocol")).contains("AMQP");
            assertThat(api().get("/api/overview").json().at("/connections_by_protocol/AMQP").asInt()).isEqualTo(1);

            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            c.addShutdownListener(closed::complete);
            ApiClient.Answer close = api().call("DELETE", "/api/connections/" + path(name), null, "X-Reason", "maintenance");
            assertThat(close.status()).isEqualTo(204);
            ShutdownSignalException why = closed.get(10, TimeUnit.SECONDS);
            assertThat(why.getMessage()).contains("320").contains("maintenance");
            await().untilAsserted(() -> assertThat(find("AMQP")).isNull());
            assertThat(api().get("/api/connections/" + path(name)).status()).isEqualTo(404);
        } finally {
            if (c.isOpen()) {
                c.close();
            }
            if (mqtt.isConnected()) {
                mqtt.disconnect();
            }
            mqtt.close();
        }
    }
}
