package io.wharf.examples.confirms;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.wharf.examples.BrokerArgs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publisher confirms: the broker acknowledges each message once it has taken responsibility for
 * it, and a publisher that waits for those confirms knows what it may forget. Three ways to wait
 * are compared on the same number of messages:
 *
 * <ul>
 *   <li><b>individually</b>: publish one, wait for its confirm, publish the next. Simple, but every
 *       message costs a round trip.</li>
 *   <li><b>in batches</b>: publish a batch, then wait for all of its confirms. Far fewer waits;
 *       on a failure the publisher only knows that something in the batch was lost.</li>
 *   <li><b>asynchronously</b>: keep publishing and let a listener settle each confirm as it
 *       arrives, tracking outstanding messages by sequence number.</li>
 * </ul>
 *
 * <pre>
 * examples/run PublisherConfirms [amqp-uri] [count]
 * </pre>
 *
 * Publishes {@code count} messages (default 10,000) with each strategy, each into a queue of its
 * own that is deleted afterwards, and prints how long each took.
 */
public final class PublisherConfirms {

    /** Messages published between two waits by {@link #publishInBatches}. */
    public static final int BATCH_SIZE = 100;

    private static final long CONFIRM_TIMEOUT_MS = 30_000;

    /**
     * What one strategy achieved.
     *
     * @param confirmed messages the broker acknowledged
     * @param nacked    messages the broker refused (it could not take responsibility for them)
     */
    public record Result(String strategy, int published, int confirmed, int nacked, Duration elapsed) {

        @Override
        public String toString() {
            return "%-15s %,d messages in %,d ms (%,d confirmed, %,d nacked)"
                    .formatted(strategy, published, elapsed.toMillis(), confirmed, nacked);
        }
    }

    /** One way of publishing {@code count} messages to {@code queue} with confirms. */
    @FunctionalInterface
    public interface Strategy {
        Result publish(Connection connection, String queue, int count)
                throws IOException, InterruptedException, TimeoutException;
    }

    private PublisherConfirms() {
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        int count = cli.rest().isEmpty() ? 10_000 : Integer.parseInt(cli.rest().getFirst());
        System.out.printf("Publishing %,d messages with each strategy%n", count);
        try (Connection connection = cli.connectionFactory().newConnection("publisher-confirms")) {
            for (Strategy strategy : List.<Strategy>of(PublisherConfirms::publishIndividually,
                    PublisherConfirms::publishInBatches, PublisherConfirms::publishAsynchronously)) {
                System.out.println(runInFreshQueue(connection, strategy, count));
            }
        }
    }

    /** Runs a strategy into a new server-named queue and deletes the queue afterwards. */
    static Result runInFreshQueue(Connection connection, Strategy strategy, int count)
            throws IOException, InterruptedException, TimeoutException {
        try (Channel admin = connection.createChannel()) {
            String queue = admin.queueDeclare().getQueue();
            try {
                return strategy.publish(connection, queue, count);
            } finally {
                admin.queueDelete(queue);
            }
        }
    }

    /** Publishes {@code count} messages, waiting for each one's confirm before the next. */
    public static Result publishIndividually(Connection connection, String queue, int count)
            throws IOException, InterruptedException, TimeoutException {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            long start = System.nanoTime();
            int confirmed = 0;
            for (int i = 0; i < count; i++) {
                publish(channel, queue, i);
                // On a nack or a timeout this throws and closes the channel: the publisher must start over.
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
                confirmed++;
            }
            return new Result("individually", count, confirmed, 0, elapsedSince(start));
        }
    }

    /** Publishes {@code count} messages, waiting for confirms after every {@value #BATCH_SIZE}. */
    public static Result publishInBatches(Connection connection, String queue, int count)
            throws IOException, InterruptedException, TimeoutException {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            long start = System.nanoTime();
            int confirmed = 0;
            int inBatch = 0;
            for (int i = 0; i < count; i++) {
                publish(channel, queue, i);
                inBatch++;
                if (inBatch == BATCH_SIZE || i == count - 1) {
                    channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
                    confirmed += inBatch;
                    inBatch = 0;
                }
            }
            return new Result("in batches", count, confirmed, 0, elapsedSince(start));
        }
    }

    /**
     * Publishes {@code count} messages without waiting in between; a confirm listener settles
     * them as the broker confirms them, and the call returns once every one is settled.
     */
    public static Result publishAsynchronously(Connection connection, String queue, int count)
            throws IOException, InterruptedException, TimeoutException {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            Outstanding outstanding = new Outstanding(count);
            channel.addConfirmListener(outstanding::confirmed, (seqNo, multiple) -> {
                // A real publisher would republish what was nacked; here it is only counted.
                int lost = outstanding.nacked(seqNo, multiple);
                System.err.println("nacked: " + lost + " message(s) up to #" + seqNo);
            });
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                // Noted before publishing: the confirm may be handled before basicPublish returns.
                outstanding.add(channel.getNextPublishSeqNo(), body(i));
                publish(channel, queue, i);
            }
            outstanding.await(CONFIRM_TIMEOUT_MS);
            return new Result("asynchronously", count, outstanding.confirmed.get(), outstanding.nacked.get(),
                    elapsedSince(start));
        }
    }

    /**
     * The messages published and not yet settled, by sequence number. Confirms arrive on the
     * connection's thread while the publisher adds more, hence the concurrent map.
     */
    private static final class Outstanding {

        private final NavigableMap<Long, String> bySeqNo = new ConcurrentSkipListMap<>();
        private final int expected;
        private final AtomicInteger confirmed = new AtomicInteger();
        private final AtomicInteger nacked = new AtomicInteger();
        private final CompletableFuture<Void> allSettled = new CompletableFuture<>();

        Outstanding(int expected) {
            this.expected = expected;
            if (expected == 0) {
                allSettled.complete(null);
            }
        }

        void add(long seqNo, String body) {
            bySeqNo.put(seqNo, body);
        }

        void confirmed(long seqNo, boolean multiple) {
            confirmed.addAndGet(remove(seqNo, multiple));
            completeIfSettled();
        }

        int nacked(long seqNo, boolean multiple) {
            int removed = remove(seqNo, multiple);
            nacked.addAndGet(removed);
            completeIfSettled();
            return removed;
        }

        /** {@code multiple} settles every outstanding message up to and including {@code seqNo}. */
        private int remove(long seqNo, boolean multiple) {
            if (!multiple) {
                return bySeqNo.remove(seqNo) == null ? 0 : 1;
            }
            Map<Long, String> covered = bySeqNo.headMap(seqNo, true);
            int size = covered.size();
            covered.clear();
            return size;
        }

        private void completeIfSettled() {
            if (confirmed.get() + nacked.get() == expected) {
                allSettled.complete(null);
            }
        }

        void await(long timeoutMs) throws InterruptedException, TimeoutException {
            try {
                allSettled.get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                throw new TimeoutException(bySeqNo.size() + " message(s) still unsettled after " + timeoutMs + " ms");
            }
        }
    }

    private static void publish(Channel channel, String queue, int i) throws IOException {
        channel.basicPublish("", queue, null, body(i).getBytes(StandardCharsets.UTF_8));
    }

    private static String body(int i) {
        return "message " + i;
    }

    private static Duration elapsedSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
