package io.wharf.examples;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An exchange of log lines that publishers and subscribers agree on by name and type; the routing
 * and topic examples differ only in those. Both sides declare it with the same arguments, so
 * whichever starts first creates it.
 *
 * @param name the exchange's name
 * @param type direct (subscribers pick exact routing keys) or topic (they pick patterns)
 */
public record LogExchange(String name, BuiltinExchangeType type) {

    public void declare(Channel channel) throws IOException {
        channel.exchangeDeclare(name, type);
    }

    /** Connects and publishes every line, in order, on one channel. */
    public void emit(ConnectionFactory factory, String connectionName, List<LogLine> lines)
            throws IOException, TimeoutException {
        try (Connection connection = factory.newConnection(connectionName);
             Channel channel = connection.createChannel()) {
            declare(channel);
            for (LogLine line : lines) {
                channel.basicPublish(name, line.routingKey(), null, line.message().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * A subscriber: a queue of its own bound with each key, consumed until closed. One queue with
     * several bindings receives a line once, however many of its bindings the line matches.
     */
    public final class Subscriber implements AutoCloseable {
        private final ConnectionFactory factory;
        private final String connectionName;
        private final List<String> bindingKeys;
        private final Consumer<LogLine> onLine;
        private Connection connection;

        /**
         * @param bindingKeys the keys or patterns to bind, at least one
         * @param onLine      told about each line received, in the order they arrive
         */
        public Subscriber(ConnectionFactory factory, String connectionName, List<String> bindingKeys,
                          Consumer<LogLine> onLine) {
            if (bindingKeys.isEmpty()) {
                throw new IllegalArgumentException("at least one binding key is needed");
            }
            this.factory = Objects.requireNonNull(factory);
            this.connectionName = connectionName;
            this.bindingKeys = List.copyOf(bindingKeys);
            this.onLine = Objects.requireNonNull(onLine);
        }

        /** Connects, binds a fresh queue with each key and starts consuming. */
        public synchronized void start() throws IOException, TimeoutException {
            if (connection != null) {
                throw new IllegalStateException("already started");
            }
            connection = factory.newConnection(connectionName);
            Channel channel = connection.createChannel();
            declare(channel);
            String queue = channel.queueDeclare().getQueue();
            for (String key : bindingKeys) {
                channel.queueBind(queue, name, key);
            }
            channel.basicConsume(queue, true,
                    (consumerTag, delivery) -> onLine.accept(new LogLine(delivery.getEnvelope().getRoutingKey(),
                            new String(delivery.getBody(), StandardCharsets.UTF_8))),
                    consumerTag -> { });
        }

        @Override
        public synchronized void close() throws IOException {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }
}
