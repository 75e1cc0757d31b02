package io.wharf.examples.topics;

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
 * Topics, publisher side: sends a log line to the topic exchange {@value #EXCHANGE} under a
 * dotted routing key such as {@code kern.critical} ({@code <facility>.<severity>}). Subscribers
 * ({@link ReceiveLogsTopic}) pick lines by pattern rather than by exact key.
 *
 * <pre>
 * examples/run EmitLogTopic [amqp-uri] [routing-key] [message...]
 * examples/run EmitLogTopic kern.critical "A critical kernel error"
 * </pre>
 *
 * The routing key defaults to {@code anonymous.info}, the message to {@code "Hello World!"}.
 */
public final class EmitLogTopic {

    /** The exchange publishers and subscribers agree on. */
    public static final String EXCHANGE = "topic_logs";
    static final LogExchange LOGS = new LogExchange(EXCHANGE, BuiltinExchangeType.TOPIC);

    private EmitLogTopic() {
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        List<String> rest = cli.rest();
        String routingKey = rest.isEmpty() ? "anonymous.info" : rest.getFirst();
        String message = rest.size() < 2 ? "Hello World!" : String.join(" ", rest.subList(1, rest.size()));
        LogLine line = new LogLine(routingKey, message);
        emit(cli.connectionFactory(), List.of(line));
        System.out.println(" [x] Sent '" + line + "'");
    }

    /** Connects and publishes every line, in order, on one channel. */
    public static void emit(ConnectionFactory factory, List<LogLine> lines) throws IOException, TimeoutException {
        LOGS.emit(factory, "emit-log-topic", lines);
    }

    /** Declares the topic exchange; publishers and subscribers both do. */
    public static void declareExchange(Channel channel) throws IOException {
        LOGS.declare(channel);
    }
}
