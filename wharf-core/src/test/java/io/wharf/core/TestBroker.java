package io.wharf.core;

import io.wharf.core.auth.Client;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.QueueConsumer;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.storage.Storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A broker in a directory, opened and reopened by core tests, with a client and a collecting consumer. */
public final class TestBroker implements AutoCloseable {

    private final Path dir;
    private final java.util.function.UnaryOperator<BrokerSettings> tweak;
    private Broker broker;
    public final Client client;

    public TestBroker(Path dir) throws IOException {
        this(dir, s -> s);
    }

    public TestBroker(Path dir, java.util.function.UnaryOperator<BrokerSettings> tweak) throws IOException {
        this.dir = dir;
        this.tweak = tweak;
        this.broker = Broker.open(settings());
        this.client = new Client(broker.users().get("guest").orElseThrow(), new Object(), "test connection");
    }

    private BrokerSettings settings() {
        return tweak.apply(BrokerSettings.defaults(Storage.Options.defaults(dir)));
    }

    public VirtualHost vhost() {
        return broker.vhost("/").orElseThrow();
    }

    public Broker broker() {
        return broker;
    }

    /** Closes cleanly and opens again on the same directory. */
    public void restart() throws IOException {
        broker.close();
        broker = Broker.open(settings());
    }

    public static Message message(String exchange, String routingKey, String body, MessageProperties props) {
        return Message.of(exchange, routingKey, props, body.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
    }

    public static MessageProperties persistent() {
        return MessageProperties.builder().deliveryMode(2).build();
    }

    public static MessageProperties props(Map<String, Object> headers, Integer priority, String expiration) {
        return MessageProperties.builder().deliveryMode(2).headers(headers).priority(priority).expiration(expiration).build();
    }

    public static String body(Delivery d) {
        return new String(d.message().body(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        broker.close();
    }

    /** Collects deliveries, taking at most {@code prefetch} unacknowledged at a time (0: unlimited). */
    public static final class Collector implements QueueConsumer {
        public final LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        private final AtomicInteger credit;
        private final boolean limited;
        public volatile String cancelled;

        public Collector(int prefetch) {
            this.credit = new AtomicInteger(prefetch);
            this.limited = prefetch > 0;
        }

        @Override
        public boolean reserve(int bodyBytes) {
            if (!limited) {
                return true;
            }
            while (true) {
                int c = credit.get();
                if (c <= 0) {
                    return false;
                }
                if (credit.compareAndSet(c, c - 1)) {
                    return true;
                }
            }
        }

        @Override
        public void deliver(Delivery delivery) {
            // Kept for the test to read later, so taken off any borrowed buffer, as a protocol that keeps deliveries does.
            received.add(delivery.detached());
        }

        @Override
        public void cancelledByBroker(String reason) {
            cancelled = reason;
        }

        /** Acknowledges and gives the credit back. */
        public void ack(Delivery d) {
            d.queue().ack(d.id());
            credit.incrementAndGet();
            d.queue().wakeUp();
        }

        public Delivery next() throws InterruptedException {
            Delivery d = received.poll(10, TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("no delivery within 10 s");
            }
            return d;
        }
    }
}
