package io.wharf.it.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.test.WharfExtension;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** MQTT 5 with the Eclipse Paho v5 client: reason codes, properties, subscription options, session expiry, will delay. */
class MqttV5Test {

    // One broker for the class: each test uses client ids and topics of its own.
    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @RegisterExtension
    final PahoClients clients = new PahoClients();

    private MqttClient client(String id, MqttConnectionOptions o) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), id, new MemoryPersistence());
        c.connect(o);
        clients.add(c);
        return c;
    }

    private MqttClient client(String id) throws MqttException {
        return client(id, new MqttConnectionOptions());
    }

    private static List<MqttMessage> subscribe(MqttClient c, MqttSubscription s) throws MqttException {
        List<MqttMessage> got = Collections.synchronizedList(new ArrayList<>());
        c.subscribe(new MqttSubscription[] {s}, new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(t, m) -> got.add(m)});
        return got;
    }

    private static String text(MqttMessage m) {
        return new String(m.getPayload(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldCarryRequestResponsePropertiesAndUserProperties() throws Exception {
        MqttClient responder = client("responder");
        List<MqttMessage> requests = subscribe(responder, new MqttSubscription("rpc/requests", 1));
        MqttClient requester = client("requester");
        List<MqttMessage> replies = subscribe(requester, new MqttSubscription("rpc/replies/requester", 1));

        MqttMessage request = new MqttMessage("2+2".getBytes(StandardCharsets.UTF_8));
        request.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setResponseTopic("rpc/replies/requester");
        p.setCorrelationData("req-42".getBytes(StandardCharsets.UTF_8));
        p.setContentType("text/plain");
        p.setUserProperties(List.of(new UserProperty("tenant", "acme")));
        request.setProperties(p);
        requester.publish("rpc/requests", request);

        await().atMost(Duration.ofSeconds(20)).until(() -> requests.size() == 1);
        MqttProperties got = requests.get(0).getProperties();
        assertThat(got.getResponseTopic()).isEqualTo("rpc/replies/requester");
        assertThat(new String(got.getCorrelationData(), StandardCharsets.UTF_8)).isEqualTo("req-42");
        assertThat(got.getContentType()).isEqualTo("text/plain");
        assertThat(got.getUserProperties()).contains(new UserProperty("tenant", "acme"));

        MqttMessage reply = new MqttMessage("4".getBytes(StandardCharsets.UTF_8));
        reply.setQos(1);
        MqttProperties rp = new MqttProperties();
        rp.setCorrelationData(got.getCorrelationData());
        reply.setProperties(rp);
        responder.publish(got.getResponseTopic(), reply);
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.size() == 1);
        assertThat(text(replies.get(0))).isEqualTo("4");
        assertThat(new String(replies.get(0).getProperties().getCorrelationData(), StandardCharsets.UTF_8)).isEqualTo("req-42");
    }

    @Test
    void shouldBalanceASharedSubscriptionAcrossItsMembers() throws Exception {
        List<List<String>> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MqttClient worker = client("worker-" + i);
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            // A client-wide callback: Paho's per-subscription listeners do not match shared filters.
            worker.setCallback(new PayloadCollector(got));
            worker.subscribe(new MqttSubscription[] {new MqttSubscription("$share/workers/jobs/#", 1)});
            members.add(got);
        }
        List<MqttMessage> plain = subscribe(client("auditor"), new MqttSubscription("jobs/#", 1));
        MqttClient pub = client("dispatcher");
        for (int i = 0; i < 30; i++) {
            MqttMessage m = new MqttMessage(("job-" + i).getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            pub.publish("jobs/build", m);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> members.stream().mapToInt(List::size).sum() == 30 && plain.size() == 30);
        List<String> all = new ArrayList<>();
        members.forEach(all::addAll);
        // Each job went to exactly one member, and every member had a share.
        assertThat(all).hasSize(30).doesNotHaveDuplicates();
        assertThat(members).allSatisfy(list -> assertThat(list).isNotEmpty());
    }

    @Test
    void shouldKeepAPersistentSessionsSharedSubscriptionAcrossARestart() throws Exception {
        MqttConnectionOptions keep = new MqttConnectionOptions();
        keep.setCleanStart(false);
        keep.setSessionExpiryInterval(300L);
        MqttClient member = client("shared-member", keep);
        member.subscribe(new MqttSubscription[] {new MqttSubscription("$share/billing/invoices/#", 1)});
        member.disconnect();

        MqttClient pub = client("biller");
        MqttMessage m = new MqttMessage("while-away".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        pub.publish("invoices/eu", m);
        pub.disconnect();
        clients.closeAll();
        wharf.restart();

        MqttClient back = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "shared-member", new MemoryPersistence());
        clients.add(back);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        back.setCallback(new PayloadCollector(got));
        assertThat(back.connectWithResult(keep).getSessionPresent()).isTrue();
        // Without subscribing again: the membership came back with the session.
        MqttMessage later = new MqttMessage("after-restart".getBytes(StandardCharsets.UTF_8));
        later.setQos(1);
        client("biller-2").publish("invoices/us", later);
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 2);
        assertThat(got).containsExactly("while-away", "after-restart");
    }

    @Test
    void shouldHonourNoLocalAndRetainAsPublished() throws Exception {
        MqttClient c = client("chatty");
        MqttSubscription own = new MqttSubscription("chat/#", 1);
        own.setNoLocal(true);
        List<MqttMessage> mine = subscribe(c, own);
        MqttClient other = client("other");
        MqttSubscription rap = new MqttSubscription("chat/#", 1);
        rap.setRetainAsPublished(true);
        List<MqttMessage> theirs = subscribe(other, rap);

        MqttMessage m = new MqttMessage("hello".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        m.setRetained(true);
        c.publish("chat/room", m);
        other.publish("chat/room", new MqttMessage("from-other".getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(theirs).extracting(MqttV5Test::text).containsExactlyInAnyOrder("hello", "from-other");
            assertThat(mine).extracting(MqttV5Test::text).containsExactly("from-other");
        });
        MqttMessage retained = theirs.stream().filter(x -> text(x).equals("hello")).findFirst().orElseThrow();
        assertThat(retained.isRetained()).isTrue();
    }

    @Test
    void shouldAnswerPublishesWithoutSubscribersWithNoMatchingSubscribers() throws Exception {
        var c = new org.eclipse.paho.mqttv5.client.MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), "lonely",
                new MemoryPersistence());
        c.connect().waitForCompletion(20_000);
        MqttMessage m = new MqttMessage("anyone?".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken token = c.publish("nobody/listens", m);
        token.waitForCompletion(20_000);
        assertThat(token.getReasonCodes()).containsExactly(0x10);
        c.disconnect().waitForCompletion(20_000);
        c.close();
    }

    @Test
    void shouldEndASessionWithAnExpiryOfZeroAndKeepOneWithAnExpiry() throws Exception {
        MqttConnectionOptions keep = new MqttConnectionOptions();
        keep.setCleanStart(false);
        keep.setSessionExpiryInterval(300L);
        MqttClient kept = client("kept", keep);
        kept.subscribe("news/#", 1);
        kept.disconnect();

        MqttConnectionOptions drop = new MqttConnectionOptions();
        drop.setCleanStart(false);
        drop.setSessionExpiryInterval(0L);
        MqttClient dropped = client("dropped", drop);
        dropped.subscribe("news/#", 1);
        dropped.disconnect();

        MqttClient pub = client("publisher");
        MqttMessage m = new MqttMessage("while-away".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        pub.publish("news/today", m);

        MqttClient keptAgain = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "kept", new MemoryPersistence());
        clients.add(keptAgain);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        keptAgain.setCallback(new PayloadCollector(got));
        IMqttToken t = keptAgain.connectWithResult(keep);
        assertThat(t.getSessionPresent()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1);
        assertThat(got).containsExactly("while-away");

        MqttClient droppedAgain = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "dropped", new MemoryPersistence());
        clients.add(droppedAgain);
        assertThat(droppedAgain.connectWithResult(drop).getSessionPresent()).isFalse();

        // A persistent session ended by a DISCONNECT that sets its expiry to 0 leaves nothing behind.
        var ender = new org.eclipse.paho.mqttv5.client.MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), "ender",
                new MemoryPersistence());
        ender.connect(keep).waitForCompletion(20_000);
        ender.subscribe("news/#", 1).waitForCompletion(20_000);
        assertThat(wharf.server().broker().vhost("/").orElseThrow().findQueue("mqtt-subscription-ender")).isPresent();
        MqttProperties end = new MqttProperties();
        end.setSessionExpiryInterval(0L);
        ender.disconnect(20_000, null, null, 0, end).waitForCompletion(20_000);
        ender.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> wharf.server().broker().vhost("/").orElseThrow()
                .findQueue("mqtt-subscription-ender").isEmpty());
    }

    @Test
    void shouldExpireMessagesPastTheirMessageExpiryInterval() throws Exception {
        MqttConnectionOptions keep = new MqttConnectionOptions();
        keep.setCleanStart(false);
        keep.setSessionExpiryInterval(300L);
        MqttClient away = client("expiring", keep);
        away.subscribe("ticks/#", 1);
        away.disconnect();

        MqttClient pub = client("ticker");
        MqttMessage shortLived = new MqttMessage("stale".getBytes(StandardCharsets.UTF_8));
        shortLived.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setMessageExpiryInterval(1L);
        shortLived.setProperties(p);
        pub.publish("ticks/a", shortLived);
        MqttMessage lasting = new MqttMessage("fresh".getBytes(StandardCharsets.UTF_8));
        lasting.setQos(1);
        pub.publish("ticks/b", lasting);

        // Wait out the first message's expiry before coming back.
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        MqttClient back = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "expiring", new MemoryPersistence());
        clients.add(back);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        back.setCallback(new PayloadCollector(got));
        back.connect(keep);
        await().atMost(Duration.ofSeconds(20)).until(() -> got.contains("fresh"));
        assertThat(got).containsExactly("fresh");
    }

    @Test
    void shouldPublishADelayedWillOnlyIfTheClientStaysAway() throws Exception {
        MqttClient watcher = client("will-watcher");
        List<MqttMessage> wills = subscribe(watcher, new MqttSubscription("wills/#", 1));

        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(60L);
        MqttProperties wp = new MqttProperties();
        wp.setWillDelayInterval(1L);
        o.setWill("wills/sensor", new MqttMessage("lost".getBytes(StandardCharsets.UTF_8)));
        o.setWillMessageProperties(wp);
        MqttClient sensor = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "sensor", new MemoryPersistence());
        sensor.connect(o);
        sensor.disconnectForcibly(0, 1000, false);
        sensor.close();

        await().atMost(Duration.ofSeconds(20)).until(() -> wills.size() == 1);
        assertThat(text(wills.get(0))).isEqualTo("lost");
    }

    /** Collects payloads of messages that arrive without a subscription of this connection (a resumed session). */
    private record PayloadCollector(List<String> got) implements org.eclipse.paho.mqttv5.client.MqttCallback {
        @Override
        public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            got.add(text(m));
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
