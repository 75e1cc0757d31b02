package io.wharf.examples.topics;

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
 * Topics, subscriber side: binds its own queue to the {@value EmitLogTopic#EXCHANGE} topic
 * exchange with binding keys that are patterns over the dot-separated words of a routing key:
 * {@code *} stands for exactly one word, {@code #} for zero or more.
 *
 * <pre>
 * examples/run ReceiveLogsTopic [amqp-uri] binding-key...
 * examples/run ReceiveLogsTopic "#"                        (everything)
 * examples/run ReceiveLogsTopic "kern.*"                   (every severity of facility kern)
 * examples/run ReceiveLogsTopic "*.critical" "audit.#"     (critical lines, and all of audit)
 * </pre>
 *
 * Quote the keys so the shell does not expand them. Runs until Ctrl-C.
 */
public final class ReceiveLogsTopic implements AutoCloseable {

    private final LogExchange.Subscriber subscriber;

    /**
     * @param bindingKeys the patterns to bind, at least one
     * @param onLine      told about each line received, in the order they arrive
     */
    public ReceiveLogsTopic(ConnectionFactory factory, List<String> bindingKeys, Consumer<LogLine> onLine) {
        this.subscriber = EmitLogTopic.LOGS.new Subscriber(factory, "receive-logs-topic", bindingKeys, onLine);
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        if (cli.rest().isEmpty()) {
            System.err.println("usage: ReceiveLogsTopic [amqp-uri] binding-key...   e.g. ReceiveLogsTopic 'kern.*' '*.critical'");
            System.exit(2);
        }
        ReceiveLogsTopic receiver = new ReceiveLogsTopic(cli.connectionFactory(), cli.rest(),
                line -> System.out.println(" [x] '" + line + "'"));
        receiver.start();
        System.out.println(" [*] Receiving " + String.join(", ", cli.rest()) + ". Press Ctrl-C to stop.");
        UntilStopped.await(receiver);
    }

    /** Connects, binds a fresh queue with each binding key and starts consuming. */
    public void start() throws IOException, TimeoutException {
        subscriber.start();
    }

    @Override
    public void close() throws IOException {
        subscriber.close();
    }
}
