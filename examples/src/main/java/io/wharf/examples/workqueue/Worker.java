package io.wharf.examples.workqueue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.UntilStopped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * Work queue, consumer side: one of several competing consumers of {@value NewTask#QUEUE}. It
 * takes one task at a time (prefetch 1) and acknowledges it only once the work is done, so a busy
 * worker is not handed more tasks, and a task whose worker dies is delivered to another one. The
 * work is simulated: one second per dot in the task.
 *
 * <pre>
 * examples/run Worker [amqp-uri]
 * </pre>
 *
 * Start two or more in separate terminals, then send tasks with {@link NewTask}; Ctrl-C stops a
 * worker.
 */
public final class Worker implements AutoCloseable {

    private final ConnectionFactory factory;
    private final Duration workPerDot;
    private final Listener listener;
    private Connection connection;
    private ExecutorService consumerThread;

    /** Told what the worker does with each task, on the worker's thread. */
    @FunctionalInterface
    public interface Listener {

        /** A task arrived and work on it begins. */
        default void received(String task) {
        }

        /** A task is done and acknowledged. */
        void done(String task);
    }

    /** @param workPerDot how long each dot of a task takes to "process" */
    public Worker(ConnectionFactory factory, Duration workPerDot, Listener listener) {
        this.factory = Objects.requireNonNull(factory);
        this.workPerDot = Objects.requireNonNull(workPerDot);
        this.listener = Objects.requireNonNull(listener);
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        Worker worker = new Worker(cli.connectionFactory(), Duration.ofSeconds(1), new Listener() {
            @Override
            public void received(String task) {
                System.out.println(" [x] Received '" + task + "'");
            }

            @Override
            public void done(String task) {
                System.out.println(" [x] Done");
            }
        });
        worker.start();
        System.out.println(" [*] Waiting for tasks on " + NewTask.QUEUE + ". Press Ctrl-C to stop.");
        UntilStopped.await(worker);
    }

    /** Connects and starts consuming; tasks are worked on, one at a time, in a thread of the worker's own. */
    public synchronized void start() throws IOException, TimeoutException {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        // The worker's own thread, rather than the client's shared pool, so that stopping can interrupt the work.
        consumerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "worker"));
        try {
            connection = factory.newConnection(consumerThread, "worker");
            Channel channel = connection.createChannel();
            NewTask.declareQueue(channel);
            // Without a prefetch limit the broker would push tasks round-robin regardless of how busy
            // each worker is; with 1, a worker gets its next task only after acknowledging the last.
            channel.basicQos(1);
            boolean autoAck = false;
            channel.basicConsume(NewTask.QUEUE, autoAck,
                    (consumerTag, delivery) -> handle(channel, delivery),
                    consumerTag -> { });
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (connection != null) {
                connection.abort();
            }
            consumerThread.shutdownNow();
            connection = null;
            consumerThread = null;
            throw e;
        }
    }

    private void handle(Channel channel, Delivery delivery) throws IOException {
        String task = new String(delivery.getBody(), StandardCharsets.UTF_8);
        listener.received(task);
        try {
            work(task);
        } catch (InterruptedException e) {
            // Stopped while working: unacknowledged, the task goes back to the queue for another worker.
            Thread.currentThread().interrupt();
            return;
        }
        channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        listener.done(task);
    }

    private void work(String task) throws InterruptedException {
        long dots = task.chars().filter(c -> c == '.').count();
        if (dots > 0 && !workPerDot.isZero()) {
            Thread.sleep(workPerDot.multipliedBy(dots));
        }
    }

    /**
     * Disconnects and abandons the task in hand, if any: being unacknowledged, it goes back to the
     * queue for another worker.
     */
    @Override
    public synchronized void close() throws IOException {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } finally {
            consumerThread.shutdownNow();
            connection = null;
            consumerThread = null;
        }
    }
}
