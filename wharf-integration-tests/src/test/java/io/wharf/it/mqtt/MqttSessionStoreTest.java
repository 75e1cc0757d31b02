package io.wharf.it.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.core.exchange.Binding;
import io.wharf.core.session.SessionStore;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.test.WharfExtension;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
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
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Persistent MQTT sessions live in the virtual host's session store: what a session subscribed
 * to and unsubscribed from survives restarts, and sessions kept by earlier versions as binding
 * arguments are moved into the store at start. Driven with the Eclipse Paho v3 client; the
 * earlier layout is written with the RabbitMQ Java client, as any AMQP client could have.
 */
class MqttSessionStoreTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    @RegisterExtension
    final PahoClients clients = new PahoClients();

    /** A client that collects what it receives, connected with the given clean-session flag; returns whether a session was present. */
    private boolean connect(MqttClient c, boolean clean, List<String> got) throws MqttException {
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                got.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8) + "@" + m.getQos());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return c.connectWithResult(o).getSessionPresent();
    }

    private MqttClient client(String id) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), id, new MemoryPersistence());
        clients.add(c);
        return c;
    }

    private void publish(String topic, String body) throws MqttException {
        MqttClient pub = client("publisher-" + clients.count());
        connect(pub, true, new ArrayList<>());
        MqttMessage m = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        pub.publish(topic, m);
        pub.disconnect();
    }

    private VirtualHost vhost() {
        return wharf.server().broker().vhost("/").orElseThrow();
    }

    @Test
    void shouldKeepWhatAPersistentSessionSubscribedAndUnsubscribedAcrossARestart() throws Exception {
        MqttClient device = client("device-9");
        connect(device, false, new ArrayList<>());
        device.subscribe(new String[] {"cmd/device-9/#", "cfg/device-9", "$share/fleet/jobs/+"}, new int[] {1, 0, 1});
        device.unsubscribe("cfg/device-9");
        device.disconnect();

        assertThat(vhost().sessions().get("mqtt", "device-9")).get()
                .extracting(s -> s.subscriptions().keySet()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.COLLECTION)
                .containsExactly("cmd/device-9/#", "$share/fleet/jobs/+");
        wharf.restart();
        publish("cfg/device-9", "ignored");
        publish("cmd/device-9/reboot", "now");
        publish("jobs/7", "job-7");

        List<String> got = Collections.synchronizedList(new ArrayList<>());
        MqttClient back = client("device-9");
        assertThat(connect(back, false, got)).isTrue();
        // The session queue keeps its order: had the unsubscribed filter still been bound, its message would come first.
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() >= 2);
        assertThat(got).containsExactlyInAnyOrder("cmd/device-9/reboot=now@1", "jobs/7=job-7@1");

        // A clean start forgets the session and leaves its shared subscription.
        back.disconnect();
        MqttClient clean = client("device-9");
        assertThat(connect(clean, true, new ArrayList<>())).isFalse();
        clean.disconnect();
        await().atMost(Duration.ofSeconds(10)).until(() -> vhost().sessions().get("mqtt", "device-9").isEmpty());
        assertThat(vhost().exchange("amq.topic").bindings()).noneMatch(b -> "device-9".equals(b.arguments().get("x-mqtt-member")));
    }

    /** A stored session whose queue expired with it (and that is in no shared group) is forgotten at the next start. */
    @Test
    void shouldForgetAtStartAStoredSessionWhoseQueueExpired() throws Exception {
        MqttClient device = client("device-kept");
        connect(device, false, new ArrayList<>());
        device.subscribe("kept/#", 1);
        device.disconnect();
        // As a session expiry interval running out leaves it: the subscriptions stored, the queue gone.
        vhost().sessions().subscribe("mqtt", "device-expired", new SessionStore.Subscription("gone/#", 1, false, false, null))
                .get();
        vhost().sessions().subscribe("mqtt", "member-expired",
                new SessionStore.Subscription("$share/g/jobs/+", 1, false, false, "g")).get();

        wharf.restart();

        assertThat(vhost().sessions().get("mqtt", "device-expired")).isEmpty();
        assertThat(vhost().sessions().get("mqtt", "device-kept")).isPresent();
        assertThat(vhost().sessions().get("mqtt", "member-expired")).as("a shared group's member keeps its place").isPresent();
        MqttClient back = client("device-expired");
        assertThat(connect(back, false, new ArrayList<>())).isFalse();
    }

    /** A session whose expiry interval runs out while the broker runs goes then, its queue and stored subscriptions both. */
    @Test
    void shouldForgetASessionWhenItsExpiryIntervalRunsOut() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient device = clients.add(new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + wharf.mqttPort(), "device-short", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence()));
        org.eclipse.paho.mqttv5.client.MqttConnectionOptions o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(1L);
        device.connect(o);
        device.subscribe("short/#", 1);
        device.disconnect();
        assertThat(vhost().sessions().get("mqtt", "device-short")).isPresent();

        await().atMost(Duration.ofSeconds(30)).until(() -> vhost().sessions().get("mqtt", "device-short").isEmpty());
        assertThat(vhost().findQueue("mqtt-subscription-device-short")).isEmpty();
    }

    @Test
    void shouldMoveSessionsKeptAsBindingArgumentsIntoTheSessionStore() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection amqp = f.newConnection()) {
            Channel ch = amqp.createChannel();
            // A persistent session's queue and subscription as earlier versions kept them.
            ch.queueDeclare("mqtt-subscription-old-device", true, false, false, null);
            Map<String, Object> own = new LinkedHashMap<>();
            own.put("x-mqtt-filter", "cmd/old-device/#");
            own.put("x-mqtt-qos", 1);
            own.put("x-mqtt-no-local", false);
            own.put("x-mqtt-retain-as-published", false);
            ch.queueBind("mqtt-subscription-old-device", "amq.topic", "cmd.old-device.#", own);
            // And a member of a shared subscription.
            ch.queueDeclare("mqtt-shared-workers-tasks/#", true, false, false, Map.of("x-expires", 86_400_000L));
            Map<String, Object> member = new LinkedHashMap<>(own);
            member.put("x-mqtt-filter", "tasks/#");
            member.put("x-mqtt-share-group", "workers");
            member.put("x-mqtt-member", "old-worker");
            ch.queueBind("mqtt-shared-workers-tasks/#", "amq.topic", "tasks.#", member);
        }

        wharf.restart();

        SessionStore.Session device = vhost().sessions().get("mqtt", "old-device").orElseThrow();
        assertThat(device.subscriptions().values())
                .containsExactly(new SessionStore.Subscription("cmd/old-device/#", 1, false, false, null));
        SessionStore.Session worker = vhost().sessions().get("mqtt", "old-worker").orElseThrow();
        assertThat(worker.subscriptions().values())
                .containsExactly(new SessionStore.Subscription("$share/workers/tasks/#", 1, false, false, "workers"));
        Collection<Binding> bindings = vhost().exchange("amq.topic").bindings();
        assertThat(bindings).noneMatch(b -> b.arguments().containsKey("x-mqtt-filter"));
        assertThat(bindings).anyMatch(b -> b.destination().equals("mqtt-subscription-old-device") && b.arguments().isEmpty());
        assertThat(bindings).anyMatch(b -> b.destination().equals("mqtt-shared-workers-tasks/#")
                && b.arguments().equals(Map.of("x-mqtt-member", "old-worker")));

        // The moved sessions are the clients' own: present, and receiving what they subscribed to.
        publish("cmd/old-device/ping", "p");
        publish("tasks/1", "t1");
        List<String> deviceGot = Collections.synchronizedList(new ArrayList<>());
        List<String> workerGot = Collections.synchronizedList(new ArrayList<>());
        assertThat(connect(client("old-device"), false, deviceGot)).isTrue();
        assertThat(connect(client("old-worker"), false, workerGot)).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> deviceGot.size() == 1 && workerGot.size() == 1);
        assertThat(deviceGot).containsExactly("cmd/old-device/ping=p@1");
        assertThat(workerGot).containsExactly("tasks/1=t1@1");

        // A second start has nothing left to move and keeps the sessions as they are.
        clients.closeAll();
        wharf.restart();
        assertThat(vhost().sessions().get("mqtt", "old-device")).get().isEqualTo(device);
        assertThat(vhost().sessions().get("mqtt", "old-worker")).get().isEqualTo(worker);
    }
}
