package io.wharf.core.queue;

import io.wharf.core.message.Message;

/**
 * A message handed to a consumer or to a get. Acknowledge or reject it through its queue by
 * {@link #id()}.
 *
 * @param queue       the queue it came from
 * @param id          its identity in that queue
 * @param message     the message
 * @param redelivered whether it may have been delivered before
 * @param remaining   ready messages left in the queue after this one (for get)
 */
public record Delivery(Queue queue, long id, Message message, boolean redelivered, long remaining) {
}
