package io.wharf.protocol.amqp;

import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueConsumer;
import io.wharf.core.session.CreditWindow;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An AMQP consumer (basic.consume) as the queue sees it. Its queue thread asks for room with
 * {@link #reserve}: the channel must be open and flowing, the deliveries already handed to the
 * event loop few, and, unless no-ack, the consumer's and the channel's prefetch not exhausted.
 * Deliveries then hop to the connection's event loop to be written.
 */
final class ChannelConsumer implements QueueConsumer {

    /** Deliveries handed to the event loop but not yet written, before the queue must wait. */
    static final int MAX_IN_FLIGHT = 512;

    final AmqpChannel channel;
    final String tag;
    final Queue queue;
    final boolean noAck;
    /** The consumer's prefetch, nested in the channel's global one; unused with no-ack. */
    private final CreditWindow window;
    final AtomicInteger inFlight = new AtomicInteger();
    // Deliveries wait for consume-ok: a client drops a delivery for a tag it has not been told about.
    private volatile boolean started;

    ChannelConsumer(AmqpChannel channel, String tag, Queue queue, boolean noAck, int prefetchCount, long prefetchSize) {
        this.channel = channel;
        this.tag = tag;
        this.queue = queue;
        this.noAck = noAck;
        this.window = new CreditWindow(prefetchCount, prefetchSize, channel.global);
    }

    /** consume-ok has gone out: deliveries may start. */
    void start() {
        started = true;
        queue.wakeUp();
    }

    @Override
    public boolean reserve(int bodyBytes) {
        if (!started || !channel.canDeliver() || inFlight.get() >= MAX_IN_FLIGHT) {
            return false;
        }
        if (!noAck && !window.tryTake(bodyBytes)) {
            return false;
        }
        inFlight.incrementAndGet();
        return true;
    }

    /** Gives back the room a delivery took, once it is acknowledged or returned. */
    void release(int bodyBytes) {
        window.giveBack(1, bodyBytes);
    }

    @Override
    public void deliver(Delivery delivery) {
        channel.deliverFromQueue(this, delivery);
    }

    @Override
    public void cancelledByBroker(String reason) {
        channel.consumerCancelledByBroker(this);
    }
}
