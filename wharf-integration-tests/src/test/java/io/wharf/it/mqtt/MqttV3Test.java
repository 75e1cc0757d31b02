package io.wharf.it.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.wharf.test.WharfExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** MQTT 3.1.1 with the Eclipse Paho v3 client: QoS 0, 1 and 2, wildcards, retained messages, sessions, wills, and AMQP. */
class MqttV3Test {

    // One broker for the class: each test uses client ids and topics of its own.
    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @RegisterExtension
    final PahoClients clients = new PahoClients();

    private MqttClient client(String id, boolean clean) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.connect(o);
        clients.add(c);
        return c;
    }

    private record Got(String topic, String body, int qos, boolean retained, boolean dup) {
    }

    private static List<Got> subscribe(MqttClient c, String filter, int qos) throws MqttException {
        List<Got> got = Collections.synchronizedList(new ArrayList<>());
        c.subscribe(filter, qos, (topic, m) -> got.add(new Got(topic, new String(m.getPayload(), StandardCharsets.UTF_8),
                m.getQos(), m.isRetained(), m.isDuplicate())));
        return got;
    }

    private static MqttMessage message(String body, int qos, boolean retained) {
        MqttMessage m = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        m.setRetained(retained);
        return m;
    }

    @Test
    void shouldDeliverAtEachQosThroughWildcardFilters() throws Exception {
        MqttClient sub = client("sub", true);
        List<Got> one = subscribe(sub, "sensors/+/temp", 2);
        List<Got> all = subscribe(sub, "alarms/#", 1);
        MqttClient pub = client("pub", true);
        pub.publish("sensors/kitchen/temp", message("21", 0, false));
        pub.publish("sensors/hall/temp", message("19", 1, false));
        pub.publish("sensors/hall/humidity", message("40", 1, false));
        pub.publish("sensors/attic/temp", message("30", 2, false));
        pub.publish("alarms", message("parent", 2, false));
        pub.publish("alarms/fire/floor1", message("deep", 2, false));

        await().atMost(Duration.ofSeconds(20)).until(() -> one.size() == 3 && all.size() == 2);
        assertThat(one).extracting(Got::body).containsExactlyInAnyOrder("21", "19", "30");
        assertThat(one).filteredOn(g -> g.body().equals("30")).extracting(Got::qos).containsExactly(2);
        assertThat(one).filteredOn(g -> g.body().equals("19")).extracting(Got::qos).containsExactly(1);
        // Delivered at the lower of the publish QoS and the subscription's.
        assertThat(all).extracting(Got::topic).containsExactlyInAnyOrder("alarms", "alarms/fire/floor1");
        assertThat(all).extracting(Got::qos).containsOnly(1);
    }

    @Test
    void shouldKeepTheLastRetainedMessagePerTopicUntilAnEmptyOneClearsIt() throws Exception {
        MqttClient pub = client("retainer", true);
        pub.publish("status/door", message("open", 1, true));
        pub.publish("status/door", message("closed", 1, true));
        pub.publish("status/window", message("shut", 0, true));

        MqttClient late = client("late", true);
        List<Got> got = subscribe(late, "status/+", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 2);
        assertThat(got).extracting(Got::body).containsExactlyInAnyOrder("closed", "shut");
        assertThat(got).allMatch(Got::retained);

        pub.publish("status/door", message("", 1, true));
        // Retained messages are durable: they survive a restart, the cleared one stays cleared.
        clients.closeAll();
        wharf.restart();
        MqttClient after = client("after", true);
        List<Got> again = subscribe(after, "status/#", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> again.size() == 1);
        assertThat(again).extracting(Got::body).containsExactly("shut");
    }

    @Test
    void shouldKeepQueuedMessagesForAPersistentSessionAcrossReconnectsAndRestarts() throws Exception {
        MqttClient away = client("device-7", false);
        away.subscribe("cmd/device-7/#", 1);
        away.disconnect();

        MqttClient pub = client("controller", true);
        for (int i = 0; i < 20; i++) {
            pub.publish("cmd/device-7/set", message("c" + i, 1, false));
        }
        wharf.restart();

        MqttClient back = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "device-7", new MemoryPersistence());
        clients.add(back);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        back.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        var token = back.connectWithResult(o);
        assertThat(token.getSessionPresent()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 20);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("c" + i);
        }
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldPublishTheWillWhenAClientVanishesButNotWhenItDisconnects() throws Exception {
        MqttClient watcher = client("watcher", true);
        List<Got> wills = subscribe(watcher, "wills/#", 1);

        MqttClient polite = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "polite", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setWill("wills/polite", "gone".getBytes(StandardCharsets.UTF_8), 1, false);
        polite.connect(o);
        polite.disconnect();
        polite.close();

        MqttClient rude = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "rude", new MemoryPersistence());
        MqttConnectOptions r = new MqttConnectOptions();
        r.setWill("wills/rude", "vanished".getBytes(StandardCharsets.UTF_8), 1, false);
        rude.connect(r);
        // No DISCONNECT packet: the connection just ends.
        rude.disconnectForcibly(0, 1000, false);
        rude.close();

        await().atMost(Duration.ofSeconds(20)).until(() -> wills.size() == 1);
        assertThat(wills).extracting(Got::topic).containsExactly("wills/rude");
    }

    @Test
    void shouldServeMqttOverWebSocketToTheSameTopics() throws Exception {
        MqttClient ws = new MqttClient("ws://127.0.0.1:" + wharf.mqttWebSocketPort() + "/mqtt", "browser", new MemoryPersistence());
        clients.add(ws);
        ws.connect();
        List<Got> got = subscribe(ws, "chat/#", 1);
        MqttClient tcp = client("desktop", true);
        List<Got> back = subscribe(tcp, "replies/+", 1);

        tcp.publish("chat/lobby", message("hello from tcp", 1, false));
        ws.publish("replies/browser", message("hello from ws", 1, false));

        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1 && back.size() == 1);
        assertThat(got.get(0).body()).isEqualTo("hello from tcp");
        assertThat(back.get(0).body()).isEqualTo("hello from ws");
    }

    @Test
    void shouldTakeASessionOverWhenTheSameClientIdConnectsAgain() throws Exception {
        MqttClient first = client("twin", true);
        MqttClient second = client("twin", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> !first.isConnected());
        assertThat(second.isConnected()).isTrue();
    }

    @Test
    void shouldRefuseWrongCredentials() throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "intruder", new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("guest");
        o.setPassword("wrong".toCharArray());
        assertThatThrownBy(() -> c.connect(o)).isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    void shouldCarryMessagesBetweenMqttAndAmqpOverTheTopicExchange() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection amqp = f.newConnection()) {
            Channel ch = amqp.createChannel();
            ch.queueDeclare("from-mqtt", true, false, false, null);
            ch.queueBind("from-mqtt", "amq.topic", "sensors.#");

            MqttClient mqtt = client("bridge", true);
            List<Got> got = subscribe(mqtt, "orders/+/created", 1);
            mqtt.publish("sensors/hall/temp", message("19.5", 1, false));

            ch.confirmSelect();
            ch.basicPublish("amq.topic", "orders.eu.created", new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    "order-1".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);

            await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1);
            assertThat(got.get(0)).isEqualTo(new Got("orders/eu/created", "order-1", 1, false, false));

            await().atMost(Duration.ofSeconds(20)).until(() -> ch.messageCount("from-mqtt") == 1);
            GetResponse r = ch.basicGet("from-mqtt", true);
            assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("19.5");
            assertThat(r.getEnvelope().getRoutingKey()).isEqualTo("sensors.hall.temp");
            assertThat(r.getEnvelope().getExchange()).isEqualTo("amq.topic");
            assertThat(r.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(r.getProps().getHeaders()).containsEntry("x-mqtt-publish-qos", 1);
        }
    }
}
