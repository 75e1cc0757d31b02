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
import org.eclipse.paho.client.mqttv3.MqttException;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * A subscriber that falls behind holds its publishers back: the acknowledgements of their
 * publishes wait while its queue holds more than {@code mqtt.max-backlog} ready messages, and go
 * once it has caught up or gone. Driven with the Eclipse Paho v3 client.
 */
class MqttBacklogTest {

    private static final int LIMIT = 50;

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension().with("mqtt.max-backlog", Integer.toString(LIMIT));

    @RegisterExtension
    final PahoClients clients = new PahoClients();

    private MqttClient connect(String id, MqttCallback callback) throws MqttException {
        MqttClient c = clients.add(new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), id, new MemoryPersistence()));
        c.setCallback(callback);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        // Paho counts a publish as in flight for a moment after its token completes: room for a few.
        o.setMaxInflight(100);
        c.connect(o);
        return c;
    }

    private static MqttCallback receiving(Runnable onMessage) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                onMessage.run();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    private String state(String clientId) {
        return wharf.server().broker().connections().all().stream().filter(c -> clientId.equals(c.clientId()))
                .map(ClientConnection::state).findFirst().orElse("gone");
    }

    /** Publishes {@code count} QoS 1 messages one after the other, each once the last is acknowledged. */
    private static Thread publishing(MqttClient writer, String topic, int count, AtomicInteger done, AtomicReference<Throwable> failed) {
        return Thread.ofPlatform().name("publisher").start(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    writer.publish(topic, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
                    done.incrementAndGet();
                }
            } catch (MqttException e) {
                failed.set(e);
            }
        });
    }

    @Test
    void shouldHoldPublishersWhileAConnectedSubscriberIsBehindAndLetThemGoWhenItLeaves() throws Exception {
        // The subscriber takes its first message and then stops: its window fills and its queue grows.
        CountDownLatch release = new CountDownLatch(1);
        MqttClient reader = connect("slow-reader", receiving(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        reader.subscribe("readings/#", 1);
        Queue readerQueue = wharf.server().broker().vhost("/").orElseThrow().findQueue("mqtt-subscription-slow-reader").orElseThrow();

        MqttClient writer = connect("fast-writer", receiving(() -> { }));
        int messages = 1_000;
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread publisher = publishing(writer, "readings/r1", messages, published, failed);

        // Held: the writer's acknowledgement waits, so it publishes no further than just past the limit.
        await().atMost(Duration.ofSeconds(20)).until(() -> "flow".equals(state("fast-writer")));
        assertThat(readerQueue.messageCount()).isBetween((long) LIMIT, LIMIT + 10L);
        assertThat(published.get()).isLessThan(messages);

        // The subscriber goes: nobody is behind any more, and every publish is taken.
        release.countDown();
        reader.disconnectForcibly(1_000, 1_000);
        publisher.join(30_000);
        assertThat(failed.get()).isNull();
        assertThat(published.get()).isEqualTo(messages);
        assertThat(writer.isConnected()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(state("fast-writer")));
    }

    /**
     * A client that publishes to its own subscription, many publishes at once, goes on receiving
     * and acknowledging what it gets while the acknowledgements of its own publishes are held: it
     * catches up with itself rather than waiting for itself.
     */
    @Test
    void shouldLetAClientThatPublishesToItsOwnSubscriptionCatchUpWithItself() throws Exception {
        int messages = 20 * LIMIT;
        AtomicInteger received = new AtomicInteger();
        MqttAsyncClient echo = new MqttAsyncClient("tcp://127.0.0.1:" + wharf.mqttPort(), "echo", new MemoryPersistence());
        echo.setCallback(receiving(received::incrementAndGet));
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(messages);
        echo.connect(o).waitForCompletion(10_000);
        echo.subscribe("echo/#", 1).waitForCompletion(10_000);
        List<IMqttDeliveryToken> sent = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            sent.add(echo.publish("echo/x", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().allMatch(IMqttDeliveryToken::isComplete));
        assertThat(sent).allMatch(t -> t.getException() == null);
        await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == messages);
        echo.disconnect().waitForCompletion(10_000);
        echo.close();
    }
}
