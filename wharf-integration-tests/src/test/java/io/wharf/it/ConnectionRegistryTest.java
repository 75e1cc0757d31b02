package io.wharf.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.core.Broker;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.connection.ClientConnections;
import io.wharf.core.stream.ConsumerGroupDirectory;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broker's registry of client connections, as every protocol adapter fills it: who is
 * connected, their traffic, their channels or sessions, an operator's close in each protocol's
 * own way, refused frames, and Kafka's live consumer groups.
 */
class ConnectionRegistryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    private Broker broker() {
        return wharf.server().broker();
    }

    private ClientConnections registry() {
        return broker().connections();
    }

    private Optional<ClientConnection> connectionFrom(String protocol, int clientPort) {
        return registry().all().stream()
                .filter(c -> c.protocol().equals(protocol) && c.peer().getPort() == clientPort)
                .findFirst();
    }

    /** The one connection of {@code protocol} the test opened. */
    private ClientConnection onlyConnection(String protocol) {
        return registry().all().stream().filter(c -> c.protocol().equals(protocol)).findFirst().orElseThrow();
    }

    private static void closeForcibly(org.eclipse.paho.client.mqttv3.MqttClient client) throws Exception {
        if (client.isConnected()) {
            client.disconnectForcibly(0, 1000);
        }
        client.close();
    }

    private long rejected(String protocol, String error) {
        return registry().rejections().getOrDefault(new ClientConnections.Rejection(protocol, error), 0L);
    }

    @Test
    void shouldShowAnAmqpConnectionWithItsChannelsAndTrafficAndCloseItForced() throws Exception {
        // Given a RabbitMQ client that names its connection and consumes with a prefetch
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        Connection conn = f.newConnection("order-service");
        try {
            Channel ch = conn.createChannel();
            ch.queueDeclare("orders", true, false, false, null);
            ch.basicQos(10);
            List<Long> tags = Collections.synchronizedList(new ArrayList<>());
            ch.basicConsume("orders", false, (tag, d) -> tags.add(d.getEnvelope().getDeliveryTag()), tag -> { });

            // When it publishes three messages and receives them without acknowledging
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "orders", null, ("order " + i).getBytes(StandardCharsets.UTF_8));
            }
            await().atMost(WAIT).until(() -> tags.size() == 3);

            // Then the registry shows who it is, its traffic and its channel
            ClientConnection c = registry().all().stream().filter(x -> x.protocol().equals("AMQP")).findFirst().orElseThrow();
            assertThat(c.protocolVersion()).isEqualTo("0-9-1");
            assertThat(c.user()).isEqualTo("guest");
            assertThat(c.vhost()).isEqualTo("/");
            assertThat(c.clientId()).isEqualTo("order-service");
            assertThat(c.clientProperties()).containsEntry("product", "RabbitMQ").containsKey("version");
            assertThat(c.peer().getAddress().isLoopbackAddress()).isTrue();
            assertThat(c.local().getPort()).isEqualTo(wharf.amqpPort());
            assertThat(c.messagesIn()).isEqualTo(3);
            assertThat(c.messagesOut()).isEqualTo(3);
            assertThat(c.bytesIn()).isPositive();
            assertThat(c.bytesOut()).isPositive();
            await().atMost(WAIT).untilAsserted(() -> assertThat(c.sessions())
                    .containsExactly(new ClientConnection.Session(Integer.toString(ch.getChannelNumber()), 1, 3, 10)));

            // And acknowledging empties the channel's unacknowledged count while traffic keeps growing
            long bytesIn = c.bytesIn();
            ch.basicAck(tags.get(2), true);
            await().atMost(WAIT).untilAsserted(() -> assertThat(c.sessions().get(0).unacknowledged()).isZero());
            assertThat(c.bytesIn()).isGreaterThan(bytesIn);

            // When a passive declare of a missing queue is refused on another channel
            long notFoundBefore = rejected("AMQP", "NOT_FOUND");
            Channel other = conn.createChannel();
            assertThatThrownBy(() -> other.queueDeclarePassive("no-such-queue")).isInstanceOf(IOException.class);
            // Then it is counted by its reply code's name
            assertThat(rejected("AMQP", "NOT_FOUND")).isEqualTo(notFoundBefore + 1);

            // When an operator closes the connection
            CompletableFuture<ShutdownSignalException> shutdown = new CompletableFuture<>();
            conn.addShutdownListener(shutdown::complete);
            c.close("maintenance window");

            // Then the client is told CONNECTION_FORCED with the reason, and the connection leaves the registry
            ShutdownSignalException signal = shutdown.get(20, TimeUnit.SECONDS);
            assertThat(signal.isInitiatedByApplication()).isFalse();
            AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
            assertThat(close.getReplyCode()).isEqualTo(320);
            assertThat(close.getReplyText()).isEqualTo("CONNECTION_FORCED - maintenance window");
            await().atMost(WAIT).until(() -> registry().all().isEmpty());
        } finally {
            if (conn.isOpen()) {
                conn.abort();
            }
        }
    }

    @Test
    void shouldShowAnMqtt5SessionAndDisconnectItForAdministrativeAction() throws Exception {
        // Given an MQTT 5 client that subscribes and publishes to itself
        AtomicReference<MqttDisconnectResponse> disconnected = new AtomicReference<>();
        List<MqttMessage> received = Collections.synchronizedList(new ArrayList<>());
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "sensor-1", new MemoryPersistence());
        client.setCallback(new Callback(disconnected, received));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("guest");
        options.setPassword("guest".getBytes(StandardCharsets.UTF_8));
        client.connect(options);
        try {
            client.subscribe("sensors/#", 1);
            for (int i = 0; i < 3; i++) {
                client.publish("sensors/temperature", ("2" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            await().atMost(WAIT).until(() -> received.size() == 3);

            // Then the registry shows it with its session and traffic
            ClientConnection c = onlyConnection("MQTT");
            assertThat(c.protocolVersion()).isEqualTo("5");
            assertThat(c.clientId()).isEqualTo("sensor-1");
            assertThat(c.user()).isEqualTo("guest");
            assertThat(c.vhost()).isEqualTo("/");
            assertThat(c.peer().getAddress().isLoopbackAddress()).isTrue();
            assertThat(c.local().getPort()).isEqualTo(wharf.mqttPort());
            assertThat(c.messagesIn()).isEqualTo(3);
            await().atMost(WAIT).untilAsserted(() -> assertThat(c.messagesOut()).isEqualTo(3));
            assertThat(c.bytesIn()).isPositive();
            assertThat(c.bytesOut()).isPositive();
            assertThat(c.sessions()).hasSize(1);
            assertThat(c.sessions().get(0).name()).isEqualTo("sensor-1");
            assertThat(c.sessions().get(0).consumers()).isEqualTo(1);

            // When an operator closes it
            c.close("maintenance window");

            // Then the client is told why: Administrative action (0x98)
            await().atMost(WAIT).until(() -> disconnected.get() != null);
            assertThat(disconnected.get().getReturnCode()).isEqualTo(0x98);
            await().atMost(WAIT).until(() -> registry().all().isEmpty());
        } finally {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000, false);
            }
            client.close();
        }
    }

    @Test
    void shouldCountAnMqttConnectRefusedForItsCredentials() throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "intruder", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("guest");
        options.setPassword("wrong".getBytes(StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> client.connect(options)).isInstanceOf(MqttException.class);
        } finally {
            client.close();
        }
        assertThat(rejected("MQTT", "BAD_USER_NAME_OR_PASSWORD")).isEqualTo(1);
    }

    @Test
    void shouldShowAnMqtt311ConnectionAndCloseItsSocket() throws Exception {
        // Given an MQTT 3.1.1 client
        CountDownLatch lost = new CountDownLatch(1);
        org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + wharf.mqttPort(), "meter-7", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        org.eclipse.paho.client.mqttv3.MqttConnectOptions options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        try {
            ClientConnection c = onlyConnection("MQTT");
            assertThat(c.protocolVersion()).isEqualTo("3.1.1");
            assertThat(c.clientId()).isEqualTo("meter-7");

            // When an operator closes it, the socket closes: MQTT 3.1.1 has no way to say why
            c.close("maintenance window");
            assertThat(lost.await(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).until(() -> registry().all().isEmpty());
        } finally {
            closeForcibly(client);
        }
    }

    @Test
    void shouldShowAnMqttConnectionOverWebSocketWithItsWireBytes() throws Exception {
        // Given an MQTT client over WebSocket that publishes a message
        org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ws://127.0.0.1:" + wharf.mqttWebSocketPort() + "/mqtt", "browser-1",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        client.connect();
        try {
            client.publish("chat/lobby", "hello".getBytes(StandardCharsets.UTF_8), 1, false);

            // Then it is listed on the WebSocket port, its bytes counted with the HTTP upgrade and WebSocket frames
            ClientConnection c = onlyConnection("MQTT");
            assertThat(c.local().getPort()).isEqualTo(wharf.mqttWebSocketPort());
            assertThat(c.clientId()).isEqualTo("browser-1");
            assertThat(c.messagesIn()).isEqualTo(1);
            // The upgrade request alone is longer than the MQTT packets sent.
            assertThat(c.bytesIn()).isGreaterThan(100);
            assertThat(c.bytesOut()).isPositive();

            // And an operator's close reaches it too
            c.close("maintenance window");
            await().atMost(WAIT).until(() -> !client.isConnected());
            await().atMost(WAIT).until(() -> registry().all().isEmpty());
        } finally {
            closeForcibly(client);
        }
    }

    @Test
    void shouldShowAStompSessionAndCloseItWithAnErrorFrame() throws Exception {
        try (StompTestClient stomp = new StompTestClient(wharf.stompPort())) {
            // Given a STOMP 1.2 client that subscribes with client acknowledgements and sends two messages
            stomp.send("CONNECT", Map.of("accept-version", "1.1,1.2", "host", "/", "login", "guest", "passcode", "guest"), "");
            assertThat(stomp.read().command()).isEqualTo("CONNECTED");
            stomp.send("SUBSCRIBE", Map.of("id", "s1", "destination", "/queue/invoices", "ack", "client-individual"), "");
            stomp.send("SEND", Map.of("destination", "/queue/invoices"), "one");
            stomp.send("SEND", Map.of("destination", "/queue/invoices"), "two");
            assertThat(stomp.read().command()).isEqualTo("MESSAGE");
            assertThat(stomp.read().command()).isEqualTo("MESSAGE");

            // Then the registry shows it with its session, its unacknowledged deliveries and its traffic
            ClientConnection c = connectionFrom("STOMP", stomp.localPort()).orElseThrow();
            assertThat(c.protocolVersion()).isEqualTo("1.2");
            assertThat(c.user()).isEqualTo("guest");
            assertThat(c.vhost()).isEqualTo("/");
            assertThat(c.clientId()).isEqualTo("/");
            assertThat(c.messagesIn()).isEqualTo(2);
            assertThat(c.messagesOut()).isEqualTo(2);
            assertThat(c.bytesIn()).isPositive();
            assertThat(c.bytesOut()).isPositive();
            assertThat(c.sessions()).singleElement().satisfies(s -> {
                assertThat(s.consumers()).isEqualTo(1);
                assertThat(s.unacknowledged()).isEqualTo(2);
            });

            // When an operator closes it, the client gets an ERROR frame with the reason, then the end of the stream
            c.close("maintenance window");
            StompTestClient.Frame error = stomp.read();
            assertThat(error.command()).isEqualTo("ERROR");
            assertThat(error.headers()).containsEntry("message", "maintenance window");
            assertThat(stomp.closedByBroker()).isTrue();
            await().atMost(WAIT).until(() -> registry().all().isEmpty());
        }
    }

    @Test
    void shouldCountAStompFrameRefusedBeforeConnect() throws Exception {
        try (StompTestClient stomp = new StompTestClient(wharf.stompPort())) {
            stomp.send("SEND", Map.of("destination", "/queue/x"), "too early");
            assertThat(stomp.read().command()).isEqualTo("ERROR");
        }
        assertThat(rejected("STOMP", "NOT_CONNECTED")).isEqualTo(1);
    }

    @Test
    void shouldShowKafkaClientsTrafficAndConsumerGroupAndCloseTheirSockets() throws Exception {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "billing-producer");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort());
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "billing-consumer");
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            // Given a producer that wrote five records and a group member that read them
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("invoices", "k" + i, "v" + i)).get(20, TimeUnit.SECONDS);
            }
            consumer.subscribe(List.of("invoices"));
            List<String> values = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= 5;
            });

            // Then both connections are listed with their client ids and traffic
            List<ClientConnection> kafka = registry().all().stream().filter(c -> c.protocol().equals("Kafka")).toList();
            assertThat(kafka).allSatisfy(c -> {
                assertThat(c.user()).as("kafka.anonymous-user").isEqualTo("guest");
                assertThat(c.vhost()).isEqualTo("/");
                assertThat(c.peer().getAddress().isLoopbackAddress()).isTrue();
                assertThat(c.bytesIn()).isPositive();
                assertThat(c.bytesOut()).isPositive();
            });
            long produced = kafka.stream().filter(c -> c.clientId().equals("billing-producer")).mapToLong(ClientConnection::messagesIn).sum();
            long fetched = kafka.stream().filter(c -> c.clientId().equals("billing-consumer")).mapToLong(ClientConnection::messagesOut).sum();
            assertThat(produced).isEqualTo(5);
            assertThat(fetched).isGreaterThanOrEqualTo(5);
            assertThat(kafka).anySatisfy(c -> assertThat(c.clientProperties()).containsKey("product"));

            // And the group is in the virtual host's directory with the member's assignment
            ConsumerGroupDirectory groups = broker().vhost("/").orElseThrow().consumerGroups();
            ConsumerGroupDirectory.Group group = groups.groups().stream().filter(g -> g.id().equals("billing"))
                    .findFirst().orElseThrow();
            assertThat(group.state()).isEqualTo("Stable");
            assertThat(group.protocolType()).isEqualTo("consumer");
            assertThat(group.generation()).isPositive();
            assertThat(group.members()).singleElement().satisfies(m -> {
                assertThat(m.clientId()).isEqualTo("billing-consumer");
                assertThat(m.clientHost()).contains("127.0.0.1");
                assertThat(m.assignment()).containsKey("invoices");
                assertThat(m.assignment().get("invoices")).isNotEmpty();
            });

            // When an operator closes the producer's connections, their sockets close and they leave the registry
            List<String> names = kafka.stream().filter(c -> c.clientId().equals("billing-producer"))
                    .map(ClientConnection::name).toList();
            kafka.stream().filter(c -> c.clientId().equals("billing-producer")).forEach(c -> c.close("maintenance window"));
            await().atMost(WAIT).until(() -> names.stream().allMatch(n -> registry().find(n).isEmpty()));
        }
        // And once the clients are gone, so are their connections
        await().atMost(WAIT).until(() -> registry().all().isEmpty());
    }

    @Test
    void shouldCountAKafkaRequestThatCannotBeRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", wharf.kafkaPort())) {
            socket.setSoTimeout(20_000);
            // A request of an API key no Kafka version defines.
            socket.getOutputStream().write(new byte[] {0, 0, 0, 8, 0x7f, 0x7f, 0, 0, 0, 0, 0, 1});
            socket.getOutputStream().flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(rejected("Kafka", "INVALID_REQUEST")).isEqualTo(1);
    }

    /** The MQTT 5 callback of one test: how the broker disconnected, and the messages that came. */
    private record Callback(AtomicReference<MqttDisconnectResponse> disconnected, List<MqttMessage> received)
            implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse r) {
            disconnected.set(r);
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            received.add(m);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
