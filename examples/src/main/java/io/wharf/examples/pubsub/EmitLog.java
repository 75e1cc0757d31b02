package io.wharf.examples.pubsub;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.BrokerArgs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Publish/subscribe, publisher side: sends log lines to the fanout exchange {@value #EXCHANGE},
 * which copies each one to every queue bound to it. The publisher knows nothing of its subscribers;
 * with none running, the lines are simply dropped.
 *
 * <pre>
 * examples/run EmitLog [amqp-uri] [line...]
 * examples/run EmitLog "disk almost full" "backup done"
 * </pre>
 *
 * Each argument is one log line; without any, {@code "info: Hello World!"} is sent. Start one or
 * more {@link ReceiveLogs} first.
 */
public final class EmitLog {

    /** The exchange publishers and subscribers agree on. */
    public static final String EXCHANGE = "logs";

    private EmitLog() {
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        List<String> lines = cli.rest().isEmpty() ? List.of("info: Hello World!") : cli.rest();
        emit(cli.connectionFactory(), lines);
        lines.forEach(line -> System.out.println(" [x] Sent '" + line + "'"));
    }

    /** Connects and publishes every line, in order, on one channel. */
    public static void emit(ConnectionFactory factory, List<String> lines) throws IOException, TimeoutException {
        try (Connection connection = factory.newConnection("emit-log");
             Channel channel = connection.createChannel()) {
            declareExchange(channel);
            for (String line : lines) {
                emit(channel, line);
            }
        }
    }

    private static void emit(Channel channel, String line) throws IOException {
        // A fanout exchange ignores the routing key.
        channel.basicPublish(EXCHANGE, "", null, line.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Declares the fanout exchange. Publishers and subscribers both declare it, with the same
     * arguments, so whichever starts first creates it.
     */
    public static void declareExchange(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.FANOUT);
    }
}
