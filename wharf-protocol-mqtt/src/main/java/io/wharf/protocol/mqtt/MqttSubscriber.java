package io.wharf.protocol.mqtt;

import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.QueueConsumer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer of an MQTT session's queue, as the queue sees it: it takes a message while the
 * connection is writable and the client's in-flight window has room, and hands it to the
 * connection's event loop.
 */
final class MqttSubscriber implements QueueConsumer {

    private final MqttConnection connection;
    private final int window;
    /** Deliveries taken but not yet acknowledged by the client (QoS 0 ones until written). */
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean active = true;

    MqttSubscriber(MqttConnection connection, int window) {
        this.connection = connection;
        this.window = window;
    }

    @Override
    public boolean reserve(int bodyBytes) {
        if (!active || !connection.writable() || inFlight.get() >= window) {
            return false;
        }
        inFlight.incrementAndGet();
        return true;
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
