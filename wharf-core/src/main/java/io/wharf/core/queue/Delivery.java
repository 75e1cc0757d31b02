package io.wharf.core.queue;

import io.wharf.core.message.Message;

/**
 * A message handed to a consumer or to a get. Acknowledge or reject it through its queue by
 * {@link #id()}.
 *
 * <p>A delivery holds a reference to its message's body when that is borrowed (see
 * {@link Message}): the receiver calls {@link #release()} once, when it has written the message
 * or handed it back, and reads nothing of the body afterwards; a receiver that keeps the message
 * longer takes {@link #detached()} instead.
 *
 * @param queue       the queue it came from
 * @param id          its identity in that queue
 * @param message     the message
 * @param redelivered whether it may have been delivered before
 * @param remaining   ready messages left in the queue after this one (for get)
 */
public record Delivery(Queue queue, long id, Message message, boolean redelivered, long remaining) {

    /** Gives back the delivery's reference to a borrowed body. */
    public void release() {
        message.release();
    }

    /** This delivery with its message on the heap, which needs no release; gives back the reference this one held. */
    public Delivery detached() {
        if (!message.bodyIsBorrowed()) {
            return this;
        }
        Delivery copy = new Delivery(queue, id, message.onHeap(), redelivered, remaining);
        message.release();
        return copy;
    }
}
