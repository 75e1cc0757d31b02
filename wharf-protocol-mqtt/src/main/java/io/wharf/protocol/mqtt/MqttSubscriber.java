package io.wharf.protocol.mqtt;

import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.QueueConsumer;
import io.wharf.core.session.CreditWindow;


/**
 * The consumer of an MQTT session's queue (or of a shared subscription's), as the queue sees it:
 * it takes a message while the connection is writable and the client's in-flight window, shared
 * by all the connection's queues, has room, and hands it to the connection's event loop.
 */
final class MqttSubscriber implements QueueConsumer {

    private final MqttConnection connection;
    /** Deliveries taken but not yet acknowledged by the client (QoS 0 ones until written), from all its queues. */
    private final CreditWindow window;
    volatile boolean active = true;

    MqttSubscriber(MqttConnection connection, CreditWindow window) {
        this.connection = connection;
        this.window = window;
    }

    @Override
    public boolean reserve(int bodyBytes) {
        return active && connection.writable() && window.tryTake(bodyBytes);
    }

    @Override
    public void deliver(Delivery delivery) {
        connection.deliverLater(delivery.detached());
    }

    @Override
    public void cancelledByBroker(String reason) {
        connection.sessionQueueGone(reason);
    }
}
