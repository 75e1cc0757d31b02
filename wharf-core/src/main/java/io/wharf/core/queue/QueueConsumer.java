package io.wharf.core.queue;

/**
 * The receiving end of a subscription, implemented by protocol adapters (an AMQP consumer, an
 * MQTT session, a STOMP subscription).
 *
 * <p>Threading: every method is called on the queue's own thread, and must not block. A consumer
 * that cannot take more right now answers false from {@link #reserve}; it calls
 * {@link Queue#wakeUp()} once it can again.
 */
public interface QueueConsumer {

    /**
     * Reserves room for one message of {@code bodyBytes} (prefetch credit, a writable socket).
     * After true, the queue calls {@link #deliver} with that message.
     */
    boolean reserve(int bodyBytes);

    /** Hands over a message. */
    void deliver(Delivery delivery);

    /** The broker ended the subscription (the queue was deleted); the consumer should tell its client. */
    void cancelledByBroker(String reason);
}
