package io.wharf.examples.pubsub;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.UntilStopped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Publish/subscribe, subscriber side: every running instance receives every line sent to the
 * {@value EmitLog#EXCHANGE} fanout exchange. Each subscriber has its own queue, named by the
 * broker, exclusive to its connection and deleted with it: a subscriber sees only lines sent while
 * it runs.
 *
 * <pre>
 * examples/run ReceiveLogs [amqp-uri]
 * </pre>
 *
 * Runs until Ctrl-C.
 */
public final class ReceiveLogs implements AutoCloseable {

    private final ConnectionFactory factory;
    private final Consumer<String> onLine;
    private Connection connection;
    private String queue;

    /** @param onLine told about each line received, in the order they arrive */
    public ReceiveLogs(ConnectionFactory factory, Consumer<String> onLine) {
        this.factory = Objects.requireNonNull(factory);
        this.onLine = Objects.requireNonNull(onLine);
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        ReceiveLogs receiver = new ReceiveLogs(cli.connectionFactory(), line -> System.out.println(" [x] '" + line + "'"));
        receiver.start();
        System.out.println(" [*] Bound " + receiver.queue() + " to " + EmitLog.EXCHANGE + ". Press Ctrl-C to stop.");
        UntilStopped.await(receiver);
    }

    /** Connects, binds a fresh queue to the exchange and starts consuming; lines sent from now on arrive. */
    public synchronized void start() throws IOException, TimeoutException {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        connection = factory.newConnection("receive-logs");
        Channel channel = connection.createChannel();
        EmitLog.declareExchange(channel);
        // No name, non-durable, exclusive, auto-delete: a queue that lives exactly as long as this subscriber.
        queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, EmitLog.EXCHANGE, "");
        // Losing a log line when the subscriber dies is acceptable here, so the broker need not wait for acks.
        boolean autoAck = true;
        channel.basicConsume(queue, autoAck,
                (consumerTag, delivery) -> onLine.accept(new String(delivery.getBody(), StandardCharsets.UTF_8)),
                consumerTag -> { });
    }

    /** The name the broker gave this subscriber's queue, once started. */
    public synchronized String queue() {
        return queue;
    }

    @Override
    public synchronized void close() throws IOException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
