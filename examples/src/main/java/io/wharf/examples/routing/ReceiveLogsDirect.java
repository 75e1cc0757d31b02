package io.wharf.examples.routing;

import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.LogExchange;
import io.wharf.examples.LogLine;
import io.wharf.examples.UntilStopped;

import java.io.IOException;
import java.util.List;
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

    private final LogExchange.Subscriber subscriber;

    /**
     * @param severities the severities to bind, at least one
     * @param onLine     told about each line received, in the order they arrive
     */
    public ReceiveLogsDirect(ConnectionFactory factory, List<String> severities, Consumer<LogLine> onLine) {
        this.subscriber = EmitLogDirect.LOGS.new Subscriber(factory, "receive-logs-direct", severities, onLine);
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

    /** Connects, binds a fresh queue with each severity and starts consuming. */
    public void start() throws IOException, TimeoutException {
        subscriber.start();
    }

    @Override
    public void close() throws IOException {
        subscriber.close();
    }
}
