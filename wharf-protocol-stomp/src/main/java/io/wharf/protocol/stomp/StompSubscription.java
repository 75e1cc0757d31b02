package io.wharf.protocol.stomp;

import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueConsumer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final AtomicInteger unacked = new AtomicInteger();
    /** Confined to the event loop. */
    final Map<String, Delivery> awaitingAck = new LinkedHashMap<>();
    volatile boolean active = true;

    StompSubscription(StompConnection connection, String id, Queue queue, AckMode ackMode, int prefetch, String shownDestination) {
        this.connection = connection;
        this.id = id;
        this.queue = queue;
        this.ackMode = ackMode;
        this.prefetch = prefetch;
        this.shownDestination = shownDestination;
    }

    String consumerTag() {
        return "stomp-" + id;
    }

    /** Deliveries awaiting ACK or NACK; any thread may ask. */
    int unacknowledged() {
        return ackMode == AckMode.AUTO ? 0 : unacked.get();
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
        if (ackMode == AckMode.AUTO) {
            return true;
        }
        while (true) {
            int n = unacked.get();
            if (n >= prefetch) {
                return false;
            }
            if (unacked.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Acknowledged or returned deliveries make room again. */
    void settled(int count) {
        if (count > 0 && unacked.getAndAdd(-count) >= prefetch) {
            queue.wakeUp();
        }
    }

    @Override
    public void deliver(Delivery delivery) {
        connection.deliverLater(this, delivery);
    }

    @Override
    public void cancelledByBroker(String reason) {
        connection.subscriptionGone(this, reason);
    }
}
