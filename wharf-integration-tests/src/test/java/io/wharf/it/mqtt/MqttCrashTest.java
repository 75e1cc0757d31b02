package io.wharf.it.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.it.support.ChildBroker;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A QoS 1 publisher keeps sending while the broker, in a child JVM, is killed with SIGKILL and
 * started again; a subscriber with a persistent session that was away the whole time must then
 * receive every publish the broker acknowledged. {@code -Dwharf.mqtt.crash.cycles=N} runs more kills.
 */
class MqttCrashTest {

    @TempDir
    Path dir;

    private static MqttClient connect(ChildBroker broker, String id, boolean clean, MqttCallback callback) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + broker.mqttPort(), id, new MemoryPersistence());
        c.setTimeToWait(5_000);
        if (callback != null) {
            c.setCallback(callback);
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setConnectionTimeout(5);
        c.connect(o);
        return c;
    }

    /** Connects, retrying while the broker is down or starting. */
    private static MqttClient connectWhenUp(ChildBroker broker, String id, boolean clean) {
        return connectWhenUp(broker, id, clean, null);
    }

    private static MqttClient connectWhenUp(ChildBroker broker, String id, boolean clean, MqttCallback callback) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                return connect(broker, id, clean, callback);
            } catch (MqttException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the broker did not come back", e);
                }
                await().pollDelay(100, TimeUnit.MILLISECONDS).until(() -> true);
            }
        }
    }

    @Test
    void shouldDeliverEveryAcknowledgedPublishToAPersistentSessionAfterKills() throws Exception {
        int cycles = Integer.getInteger("wharf.mqtt.crash.cycles", 3);
        long seed = Long.getLong("wharf.mqtt.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int total = Math.max(3000, 1000 * cycles);
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        try (ChildBroker broker = new ChildBroker(dir)) {
            broker.start();
            MqttClient keeper = connectWhenUp(broker, "keeper", false);
            keeper.subscribe("crash/#", 1);
            keeper.disconnect();
            keeper.close();

            AtomicBoolean done = new AtomicBoolean();
            Thread publisher = new Thread(() -> {
                MqttClient pub = null;
                for (int i = 0; i < total; i++) {
                    try {
                        if (pub == null || !pub.isConnected()) {
                            pub = connectWhenUp(broker, "publisher", true);
                        }
                        MqttMessage m = new MqttMessage(Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                        m.setQos(1);
                        pub.publish("crash/data", m);
                        acknowledged.add(i);
                    } catch (MqttException lost) {
                        // Not acknowledged: the broker may or may not have it, and need not.
                        pub = null;
                    }
                }
                done.set(true);
            }, "crash-publisher");
            publisher.start();
            for (int cycle = 0; cycle < cycles; cycle++) {
                int before = acknowledged.size();
                int wait = 100 + random.nextInt(400);
                await().atMost(120, TimeUnit.SECONDS).until(() -> done.get() || acknowledged.size() >= before + wait);
                broker.kill();
                broker.start();
            }
            publisher.join(TimeUnit.MINUTES.toMillis(3));
            assertThat(done).isTrue();
            assertThat(acknowledged.size()).as("acknowledged publishes (seed %d)", seed).isGreaterThan(total / 2);

            Set<Integer> received = ConcurrentHashMap.newKeySet();
            MqttClient back = connectWhenUp(broker, "keeper", false, new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    received.add(Integer.parseInt(new String(m.getPayload(), StandardCharsets.UTF_8)));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            await().atMost(120, TimeUnit.SECONDS).until(() -> received.containsAll(acknowledged));
            back.disconnect();
            back.close();
            assertThat(received).as("acknowledged publishes after the kills (seed %d)", seed).containsAll(acknowledged);
        }
    }
}
