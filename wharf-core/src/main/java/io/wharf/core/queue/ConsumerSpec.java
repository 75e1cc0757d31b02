package io.wharf.core.queue;

/**
 * A subscription request.
 *
 * @param tag       the consumer's tag, unique per queue subscription
 * @param noAck     whether messages count as acknowledged once delivered
 * @param exclusive whether no other consumer may share the queue
 * @param priority  consumer priority: higher ones get messages first while they have room
 * @param owner     the connection that owns it, for exclusive-queue checks
 * @param consumer  where messages go
 */
public record ConsumerSpec(String tag, boolean noAck, boolean exclusive, int priority, Object owner,
                           QueueConsumer consumer) {
}
