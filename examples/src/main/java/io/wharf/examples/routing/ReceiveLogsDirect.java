package io.wharf.examples.routing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.LogLine;
import io.wharf.examples.UntilStopped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Routing, subscriber side: binds its own queue to the {@value EmitLogDirect#EXCHANGE} direct
 * exchange once per severity asked for, and so receives the lines of those severities only.
 *
 * <pre>
 * examples/run ReceiveLogsDirect [amqp-uri] severity...
 * examples/run ReceiveLogsDirect warning error
 * </pre>
 *
 * Runs until Ctrl-C.
 */
public final class ReceiveLogsDirect implements AutoCloseable {

    private final ConnectionFactory factory;
    private final List<String> severities;
    private final Consumer<LogLine> onLine;
    private Connection connection;

    /**
     * @param severities the routing keys to bind, at least one
     * @param onLine     told about each line received, in the order they arrive
     */
    public ReceiveLogsDirect(ConnectionFactory factory, List<String> severities, Consumer<LogLine> onLine) {
        if (severities.isEmpty()) {
            throw new IllegalArgumentException("at least one severity is needed");
        }
        this.factory = Objects.requireNonNull(factory);
        this.severities = List.copyOf(severities);
        this.onLine = Objects.requireNonNull(onLine);
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        if (cli.rest().isEmpty()) {
            System.err.println("usage: ReceiveLogsDirect [amqp-uri] severity...   e.g. ReceiveLogsDirect info warning error");
            System.exit(2);
        }
        ReceiveLogsDirect receiver = new ReceiveLogsDirect(cli.connectionFactory(), cli.rest(),
                line -> System.out.println(" [x] '" + line + "'"));
        receiver.start();
        System.out.println(" [*] Receiving " + String.join(", ", cli.rest()) + ". Press Ctrl-C to stop.");
        UntilStopped.await(receiver);
    }

    /** Connects, binds a fresh queue for each severity and starts consuming. */
    public synchronized void start() throws IOException, TimeoutException {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        connection = factory.newConnection("receive-logs-direct");
        Channel channel = connection.createChannel();
        EmitLogDirect.declareExchange(channel);
        String queue = channel.queueDeclare().getQueue();
        // One queue, several bindings: a line matching any of them is delivered once.
        for (String severity : severities) {
            channel.queueBind(queue, EmitLogDirect.EXCHANGE, severity);
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
