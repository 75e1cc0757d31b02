package io.wharf.examples.workqueue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.wharf.examples.BrokerArgs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Work queue, producer side: puts tasks on the durable queue {@value #QUEUE} as persistent
 * messages, so that tasks survive a broker restart and are shared among however many
 * {@link Worker}s consume the queue. Each dot in a task stands for one unit of work.
 *
 * <pre>
 * examples/run NewTask [amqp-uri] [task...]
 * examples/run NewTask "First task." "Second task.." "Third task..."
 * </pre>
 *
 * Each argument is one task; without any, a single task {@code "Hello World..."} is sent.
 */
public final class NewTask {

    /** The queue the producer and the workers agree on. */
    public static final String QUEUE = "task_queue";

    private NewTask() {
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        List<String> tasks = cli.rest().isEmpty() ? List.of("Hello World...") : cli.rest();
        send(cli.connectionFactory(), tasks);
        tasks.forEach(task -> System.out.println(" [x] Sent '" + task + "'"));
    }

    /** Connects, declares the task queue and sends every task, in order. */
    public static void send(ConnectionFactory factory, List<String> tasks) throws IOException, TimeoutException {
        try (Connection connection = factory.newConnection("new-task");
             Channel channel = connection.createChannel()) {
            declareQueue(channel);
            for (String task : tasks) {
                // The default exchange routes by queue name; PERSISTENT_TEXT_PLAIN sets delivery mode 2.
                channel.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN,
                        task.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Declares the task queue durable. Producer and workers both declare it, with the same
     * arguments, so whichever starts first creates it.
     */
    static void declareQueue(Channel channel) throws IOException {
        channel.queueDeclare(QUEUE, true, false, false, null);
    }
}
