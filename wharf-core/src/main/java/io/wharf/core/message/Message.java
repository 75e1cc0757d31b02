package io.wharf.core.message;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A message as the broker routes, stores and delivers it: where it was published (exchange and
 * routing key), its properties, its body, and when it arrived. Immutable.
 *
 * <p>The properties are kept in both forms: decoded, for routing and queue rules, and encoded, so
 * that storing or delivering a message never encodes them again.
 *
 * <p>The body is on the heap, or {@linkplain BorrowedBody borrowed} from the buffer it arrived in.
 * A message with a borrowed body is valid only while its holder has a reference: a holder that
 * passes it to another thread {@link #retain()}s it for that thread, and every holder
 * {@link #release()}s once; one that keeps it longer than the publish that brought it takes
 * {@link #onHeap()}. For a message on the heap retaining and releasing do nothing. Messages
 * derived from one ({@link #withProperties}, {@link #withRouting}) share its body and references.
 */
public final class Message {

    private final String exchange;
    private final String routingKey;
    private final MessageProperties properties;
    private final byte[] encodedProperties;
    // Exactly one of body and borrowed is set.
    private final byte[] body;
    private final BorrowedBody borrowed;
    private final int bodySize;
    private final long arrivedAtMillis;

    private Message(String exchange, String routingKey, MessageProperties properties, byte[] encodedProperties,
                    byte[] body, BorrowedBody borrowed, long arrivedAtMillis) {
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.properties = properties;
        this.encodedProperties = encodedProperties;
        this.body = body;
        this.borrowed = borrowed;
        this.bodySize = body != null ? body.length : borrowed.size();
        this.arrivedAtMillis = arrivedAtMillis;
    }

    public static Message of(String exchange, String routingKey, MessageProperties properties, byte[] body,
                             long arrivedAtMillis) {
        return new Message(exchange, routingKey, properties, properties.encode(), body, null, arrivedAtMillis);
    }

    /** A message whose properties arrived encoded: the bytes are kept as they are. */
    public static Message withEncodedProperties(String exchange, String routingKey, MessageProperties properties,
                                                byte[] encodedProperties, byte[] body, long arrivedAtMillis) {
        return new Message(exchange, routingKey, properties, encodedProperties, body, null, arrivedAtMillis);
    }

    /**
     * A message whose body stays in the buffer it arrived in; the caller's reference to
     * {@code body} becomes the message's, which the caller releases through {@link #release()}.
     */
    public static Message withBorrowedBody(String exchange, String routingKey, MessageProperties properties,
                                           byte[] encodedProperties, BorrowedBody body, long arrivedAtMillis) {
        return new Message(exchange, routingKey, properties, encodedProperties, null, body, arrivedAtMillis);
    }

    public String exchange() {
        return exchange;
    }

    public String routingKey() {
        return routingKey;
    }

    public MessageProperties properties() {
        return properties;
    }

    /** The properties in their encoded form (property flags, then the present fields). */
    public byte[] encodedProperties() {
        return encodedProperties;
    }

    /** The body as an array: the message's own for a body on the heap, a copy of a borrowed one. */
    public byte[] body() {
        if (body != null) {
            return body;
        }
        ByteBuffer view = borrowed.view();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return copy;
    }

    /** The body, read-only, without copying it. */
    public ByteBuffer bodyBuffer() {
        return body != null ? ByteBuffer.wrap(body).asReadOnlyBuffer() : borrowed.view();
    }

    /** The body left in the buffer it arrived in, or null for a body on the heap. */
    public BorrowedBody borrowedBody() {
        return borrowed;
    }

    public boolean bodyIsBorrowed() {
        return borrowed != null;
    }

    public int bodySize() {
        return bodySize;
    }

    /** Takes a reference for another holder of a borrowed body; returns this. */
    public Message retain() {
        if (borrowed != null) {
            borrowed.retain();
        }
        return this;
    }

    /** Gives back this holder's reference to a borrowed body. */
    public void release() {
        if (borrowed != null) {
            borrowed.release();
        }
    }

    /**
     * This message with its body on the heap: itself if it is already, else a copy, which needs
     * no reference. The caller's reference to a borrowed body stays the caller's.
     */
    public Message onHeap() {
        return borrowed == null ? this
                : new Message(exchange, routingKey, properties, encodedProperties, body(), null, arrivedAtMillis);
    }

    public long arrivedAtMillis() {
        return arrivedAtMillis;
    }

    public boolean persistent() {
        return properties.persistent();
    }

    public Map<String, Object> headers() {
        Map<String, Object> h = properties.headers();
        return h == null ? Map.of() : h;
    }

    public Message withProperties(MessageProperties p) {
        return new Message(exchange, routingKey, p, p.encode(), body, borrowed, arrivedAtMillis);
    }

    public Message withRouting(String newExchange, String newRoutingKey) {
        return new Message(newExchange, newRoutingKey, properties, encodedProperties, body, borrowed, arrivedAtMillis);
    }

    @Override
    public String toString() {
        return "Message[exchange=" + exchange + ", routingKey=" + routingKey + ", " + bodySize + " bytes]";
    }
}
