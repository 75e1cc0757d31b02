package io.wharf.protocol.mqtt;

import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.QueueConsumer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer of an MQTT session's queue (or of a shared subscription's), as the queue sees it:
 * it takes a message while the connection is writable and the client's in-flight window, shared
 * by all the connection's queues, has room, and hands it to the connection's event loop.
 */
final class MqttSubscriber implements QueueConsumer {

    private final MqttConnection connection;
    private final int window;
    /** Deliveries taken but not yet acknowledged by the client (QoS 0 ones until written), from all its queues. */
    private final AtomicInteger inFlight;
    volatile boolean active = true;

    MqttSubscriber(MqttConnection connection, AtomicInteger inFlight, int window) {
        this.connection = connection;
        this.inFlight = inFlight;
        this.window = window;
    }

    @Override
    public boolean reserve(int bodyBytes) {
        while (true) {
            int n = inFlight.get();
            if (!active || !connection.writable() || n >= window) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    @Override
    public void deliver(Delivery delivery) {
        connection.deliverLater(delivery);
    }

    @Override
    public void cancelledByBroker(String reason) {
        connection.sessionQueueGone(reason);
    }
}
