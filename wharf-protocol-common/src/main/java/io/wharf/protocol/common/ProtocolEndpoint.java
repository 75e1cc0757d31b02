package io.wharf.protocol.common;

import java.util.Map;

/**
 * A protocol's endpoint as the server runs it: started on the broker and the shared
 * {@link EventLoops}, listed in the overview by its listeners, closed at shutdown (telling its
 * clients goodbye in its own protocol) before the threads stop.
 *
 * <p>Thread-safe.
 */
public interface ProtocolEndpoint extends AutoCloseable {

    /** The protocol's name as clients and operators know it: AMQP, Kafka, MQTT, STOMP. */
    String protocol();

    /**
     * The bound ports by listener name, as RabbitMQ names its listeners ({@code amqp},
     * {@code mqtt}, {@code http/web-mqtt}, ...), in a stable order.
     */
    Map<String, Integer> listeners();

    @Override
    void close();
}
