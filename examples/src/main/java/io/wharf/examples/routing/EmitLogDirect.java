package io.wharf.examples.routing;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.LogLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Routing, publisher side: sends a log line to the direct exchange {@value #EXCHANGE} with its
 * severity as the routing key. The exchange hands it only to the queues bound with exactly that
 * key, so each {@link ReceiveLogsDirect} chooses the severities it hears.
 *
 * <pre>
 * examples/run EmitLogDirect [amqp-uri] [severity] [message...]
 * examples/run EmitLogDirect error "Run. Run. Or it will explode."
 * </pre>
 *
 * The severity defaults to {@code info}, the message to {@code "Hello World!"}.
 */
public final class EmitLogDirect {

    /** The exchange publishers and subscribers agree on. */
    public static final String EXCHANGE = "direct_logs";

    private EmitLogDirect() {
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        List<String> rest = cli.rest();
        String severity = rest.isEmpty() ? "info" : rest.getFirst();
        String message = rest.size() < 2 ? "Hello World!" : String.join(" ", rest.subList(1, rest.size()));
        LogLine line = new LogLine(severity, message);
        emit(cli.connectionFactory(), List.of(line));
        System.out.println(" [x] Sent '" + line + "'");
    }

    /** Connects and publishes every line, in order, on one channel. */
    public static void emit(ConnectionFactory factory, List<LogLine> lines) throws IOException, TimeoutException {
        try (Connection connection = factory.newConnection("emit-log-direct");
             Channel channel = connection.createChannel()) {
            declareExchange(channel);
            for (LogLine line : lines) {
                channel.basicPublish(EXCHANGE, line.routingKey(), null, line.message().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Declares the direct exchange. Publishers and subscribers both declare it, with the same
     * arguments, so whichever starts first creates it.
     */
    public static void declareExchange(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.DIRECT);
    }
}
