package io.wharf.it.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.core.connection.ClientConnection;
import io.wharf.core.queue.Queue;
import io.wharf.test.WharfExtension;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber that falls behind holds its publishers back: they are not read while its queue
 * holds more than {@code mqtt.max-backlog} ready messages, and go on once it has caught up or
 * gone. Driven with the Eclipse Paho v3 client.
 */
class MqttBacklogTest {

    private static final int LIMIT = 50;
    private static final int MESSAGES = 2_000;

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension().with("mqtt.max-backlog", Integer.toString(LIMIT));

    private Queue subscriberQueue() {
        return wharf.server().broker().vhost("/").orElseThrow().findQueue("mqtt-subscription-slow-reader").orElseThrow();
    }

    private String state(String clientId) {
        return wharf.server().broker().connections().all().stream().filter(c -> clientId.equals(c.clientId()))
                .map(ClientConnection::state).findFirst().orElse("gone");
    }

    @Test
    void shouldHoldPublishersWhileAConnectedSubscriberIsBehindAndLetThemGoWhenItLeaves() throws Exception {
        // The subscriber takes its first message and then stops: its window fills and its queue grows.
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        MqttClient reader = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), "slow-reader", new MemoryPersistence());
        reader.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                received.incrementAndGet();
                release.await();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions clean = new MqttConnectOptions();
        clean.setCleanSession(true);
        reader.connect(clean);
        reader.subscribe("readings/#", 1);

        MqttAsyncClient writer = new MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), "fast-writer", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(MESSAGES);
        writer.connect(o).waitForCompletion(10_000);
        List<IMqttDeliveryToken> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            sent.add(writer.publish("readings/r" + (i % 7), ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false));
        }

        // Held: the writer is in flow control, and the queue stopped short of what was sent.
        await().atMost(Duration.ofSeconds(20)).until(() -> "flow".equals(state("fast-writer")));
        assertThat(received.get()).isPositive();
        assertThat(subscriberQueue().messageCount()).isLessThan(MESSAGES / 2);
        assertThat(sent).anyMatch(t -> !t.isComplete());

        // The subscriber goes: nobody is behind any more, and every publish is taken.
        release.countDown();
        reader.disconnectForcibly(1_000, 1_000);
        // Publishes that reached the subscriber's queue as it went are acknowledged, not failed:
        // the writer stays connected throughout.
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().allMatch(IMqttDeliveryToken::isComplete));
        assertThat(writer.isConnected()).isTrue();
        assertThat(sent).allMatch(t -> t.getException() == null);
        await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(state("fast-writer")));
        writer.disconnect().waitForCompletion(10_000);
        writer.close();
        reader.close();
    }
}
