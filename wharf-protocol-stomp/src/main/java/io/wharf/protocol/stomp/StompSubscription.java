package io.wharf.protocol.stomp;

import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueConsumer;
import io.wharf.core.session.CreditWindow;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One STOMP subscription: a consumer of a queue that takes messages while the connection is
 * writable and, with client acknowledgements, while fewer than its prefetch are unacknowledged.
 * The deliveries awaiting ACK or NACK are kept by their message ids, in delivery order.
 */
final class StompSubscription implements QueueConsumer {

    enum AckMode { AUTO, CLIENT, CLIENT_INDIVIDUAL }

    final String id;
    final Queue queue;
    final AckMode ackMode;
    /** The destination MESSAGE frames name, or null to name where each message was sent. */
    final String shownDestination;
    private final StompConnection connection;
    private final int prefetch;
    /** Deliveries awaiting ACK or NACK, up to the prefetch; unused with automatic acknowledgement. */
    private final CreditWindow window;
    /** Confined to the event loop. */
    final Map<String, Delivery> awaitingAck = new LinkedHashMap<>();
    volatile boolean active = true;

    StompSubscription(StompConnection connection, String id, Queue queue, AckMode ackMode, int prefetch, String shownDestination) {
        this.connection = connection;
        this.id = id;
        this.queue = queue;
        this.ackMode = ackMode;
        this.prefetch = prefetch;
        this.window = CreditWindow.ofCount(prefetch);
        this.shownDestination = shownDestination;
    }

    String consumerTag() {
        return "stomp-" + id;
    }

    /** Deliveries awaiting ACK or NACK; any thread may ask. */
    int unacknowledged() {
        return ackMode == AckMode.AUTO ? 0 : window.taken();
    }

    /** How many deliveries may await acknowledgement at once; 0 for automatic acknowledgement. */
    int prefetch() {
        return ackMode == AckMode.AUTO ? 0 : prefetch;
    }

    @Override
    public boolean reserve(int bodyBytes) {
        if (!active || !connection.writable()) {
            return false;
        }
        return ackMode == AckMode.AUTO || window.tryTake(bodyBytes);
    }

    /** Acknowledged or returned deliveries make room again. */
    void settled(int count) {
        if (count > 0 && window.giveBack(count, 0)) {
            queue.wakeUp();
        }
    }

    @Override
    public void deliver(Delivery delivery) {
        connection.deliverLater(this, delivery.detached());
    }

    @Override
    public void cancelledByBroker(String reason) {
        connection.subscriptionGone(this, reason);
    }
}
