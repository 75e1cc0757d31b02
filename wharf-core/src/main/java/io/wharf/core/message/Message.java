package io.wharf.core.message;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A message as the broker routes, stores and delivers it: where it was published (exchange and
 * routing key), its properties, its body, and when it arrived. Immutable.
 *
 * <p>The properties are kept in both forms: decoded, for routing and queue rules, and encoded, so
 * that storing or delivering a message never encodes them again.
 */
public final class Message {

    private final String exchange;
    private final String routingKey;
    private final MessageProperties properties;
    private final byte[] encodedProperties;
    private final byte[] body;
    private final long arrivedAtMillis;

    private Message(String exchange, String routingKey, MessageProperties properties, byte[] encodedProperties,
                    byte[] body, long arrivedAtMillis) {
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.properties = properties;
        this.encodedProperties = encodedProperties;
        this.body = body;
        this.arrivedAtMillis = arrivedAtMillis;
    }

    public static Message of(String exchange, String routingKey, MessageProperties properties, byte[] body,
                             long arrivedAtMillis) {
        return new Message(exchange, routingKey, properties, properties.encode(), body, arrivedAtMillis);
    }

    /** A message whose properties arrived encoded: the bytes are kept as they are. */
    public static Message withEncodedProperties(String exchange, String routingKey, MessageProperties properties,
                                                byte[] encodedProperties, byte[] body, long arrivedAtMillis) {
        return new Message(exchange, routingKey, properties, encodedProperties, body, arrivedAtMillis);
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

    public byte[] body() {
        return body;
    }

    public ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public int bodySize() {
        return body.length;
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
        return new Message(exchange, routingKey, p, p.encode(), body, arrivedAtMillis);
    }

    public Message withRouting(String newExchange, String newRoutingKey) {
        return new Message(newExchange, newRoutingKey, properties, encodedProperties, body, arrivedAtMillis);
    }

    @Override
    public String toString() {
        return "Message[exchange=" + exchange + ", routingKey=" + routingKey + ", " + body.length + " bytes]";
    }
}
