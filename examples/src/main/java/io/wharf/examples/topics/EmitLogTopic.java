package io.wharf.examples.topics;

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
        try (Connection connection = factory.newConnection("emit-log-topic");
             Channel channel = connection.createChannel()) {
            declareExchange(channel);
            for (LogLine line : lines) {
                channel.basicPublish(EXCHANGE, line.routingKey(), null, line.message().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Declares the topic exchange. Publishers and subscribers both declare it, with the same
     * arguments, so whichever starts first creates it.
     */
    public static void declareExchange(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC);
    }
}
