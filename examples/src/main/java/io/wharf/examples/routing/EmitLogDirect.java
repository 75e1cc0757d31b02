package io.wharf.examples.routing;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.LogExchange;
import io.wharf.examples.LogLine;

import java.io.IOException;
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
    static final LogExchange LOGS = new LogExchange(EXCHANGE, BuiltinExchangeType.DIRECT);

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
        LOGS.emit(factory, "emit-log-direct", lines);
    }

    /** Declares the direct exchange; publishers and subscribers both do. */
    public static void declareExchange(Channel channel) throws IOException {
        LOGS.declare(channel);
    }
}
