package io.wharf.core.queue;

import io.wharf.core.message.Message;

import java.util.List;

/**
 * A change to a queue's messages. A {@link Queue} changes its messages only by applying these,
 * one at a time on its owner. What depends on time or on consumers is decided before a command is
 * made and recorded in it: which ready message a consumer gets (and which consumer), which message
 * expired by the clock, whether a rejected message goes back or is dead-lettered. Applying depends
 * only on the queue's messages and the command, so the same commands in the same order leave a
 * queue holding the same messages.
 *
 * <p>Ids are delivery ids as {@link Delivery#id()} gives them: a message's lane and offset.
 */
public sealed interface QueueCommand {

    /**
     * A message arrives. What a length limit does with it (drop the head, refuse it, dead-letter
     * it) follows from the queue's arguments and what it holds, so it is part of applying.
     */
    record Enqueue(Message message) implements QueueCommand {
    }

    /**
     * The ready message at the head is handed out: to the consumer with {@code consumerTag}, or to
     * a get when that is null; settled at once when {@code noAck}, else unacknowledged.
     */
    record Deliver(long id, String consumerTag, boolean noAck) implements QueueCommand {
    }

    /** Unacknowledged messages are acknowledged: done for good. */
    record Settle(List<Long> ids) implements QueueCommand {
        public Settle {
            ids = List.copyOf(ids);
        }
    }

    /** Unacknowledged messages go back to ready, ahead of new ones, in their original order. */
    record Return(List<Long> ids) implements QueueCommand {
        public Return {
            ids = List.copyOf(ids);
        }
    }

    /** An unacknowledged message is rejected for good: it is done, and dead-lettered for {@code reason}. */
    record Discard(long id, String reason) implements QueueCommand {
    }

    /** The ready message at the head outlived its time to live: it is done, and dead-lettered as expired. */
    record Expire(long id) implements QueueCommand {
    }

    /** Every ready message goes; unacknowledged ones stay. */
    record Purge() implements QueueCommand {
    }
}
