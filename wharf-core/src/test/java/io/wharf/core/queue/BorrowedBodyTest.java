package io.wharf.core.queue;

import io.wharf.core.TestBroker;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.message.BorrowedBody;
import io.wharf.core.message.Message;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.stream.StreamMessages;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.record.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.wharf.core.TestBroker.body;
import static io.wharf.core.TestBroker.persistent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A body borrowed from the buffer it arrived in is released exactly once by every holder, and
 * nothing reads it after the last release: the test's buffer is overwritten then, as a network
 * buffer would be reused, so a late reader finds the wrong bytes.
 */
class BorrowedBodyTest {

    private static final int SIZE = 1000;

    @TempDir
    Path dir;

    private TestBroker broker;
    private VirtualHost vhost;
    private final List<CountedBody> bodies = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        broker = new TestBroker(dir);
        vhost = broker.vhost();
    }

    @AfterEach
    void close() throws Exception {
        broker.close();
    }

    /** A body whose bytes are overwritten when its last reference goes; counts releases past the last. */
    static final class CountedBody implements BorrowedBody {
        final ByteBuffer bytes;
        final AtomicInteger refs = new AtomicInteger(1);
        final AtomicInteger overReleased = new AtomicInteger();

        CountedBody(String text) {
            bytes = ByteBuffer.allocateDirect(SIZE);
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < SIZE; i++) {
                bytes.put(i, b[i % b.length]);
            }
        }

        @Override
        public ByteBuffer view() {
            assertThat(refs.get()).as("read with a reference held").isPositive();
            return bytes.duplicate().clear().asReadOnlyBuffer();
        }

        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public void retain() {
            assertThat(refs.getAndIncrement()).as("retained while alive").isPositive();
        }

        @Override
        public void release() {
            int left = refs.decrementAndGet();
            if (left < 0) {
                overReleased.incrementAndGet();
            } else if (left == 0) {
                for (int i = 0; i < SIZE; i++) {
                    bytes.put(i, (byte) '#');
                }
            }
        }
    }

    private static String expected(String text) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < SIZE) {
            sb.append(text);
        }
        return sb.substring(0, SIZE);
    }

    /** Publishes as a protocol adapter does: the message holds one reference, given back when routing returns. */
    private VirtualHost.PublishResult publish(String exchange, String key, String text) {
        CountedBody b = new CountedBody(text);
        bodies.add(b);
        Message m = Message.withBorrowedBody(exchange, key, persistent(), persistent().encode(), b, System.currentTimeMillis());
        try {
            return vhost.publish(m, false, broker.client);
        } finally {
            m.release();
        }
    }

    private void awaitAllReleased() {
        await().atMost(10, TimeUnit.SECONDS).until(() -> bodies.stream().allMatch(b -> b.refs.get() == 0));
        assertThat(bodies).allSatisfy(b -> assertThat(b.overReleased.get()).isZero());
    }

    private Queue declare(String name, boolean durable, Map<String, Object> args) throws Exception {
        vhost.declareQueue(new QueueDefinition(name, durable, false, false, args), false, broker.client).get(10, TimeUnit.SECONDS);
        return vhost.queue(name);
    }

    @Test
    void aWaitingMessageLeavesTheBorrowedBufferOnceStoredAndIsDeliveredIntact() throws Exception {
        Queue durable = declare("durable", true, Map.of());
        Queue transientQueue = declare("transient", false, Map.of());
        for (int i = 0; i < 20; i++) {
            assertThat(publish("", "durable", "d" + i + "-").stored().get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(publish("", "transient", "t" + i + "-").stored().get(10, TimeUnit.SECONDS)).isTrue();
        }

        awaitAllReleased();
        for (int i = 0; i < 20; i++) {
            assertThat(durable.get(true).get(10, TimeUnit.SECONDS).map(TestBroker::body)).hasValue(expected("d" + i + "-"));
            assertThat(transientQueue.get(true).get(10, TimeUnit.SECONDS).map(TestBroker::body)).hasValue(expected("t" + i + "-"));
        }
    }

    @Test
    void aConsumerWaitingForMessagesGetsThemIntactAndTheBodiesAreReleased() throws Exception {
        Queue q = declare("live", true, Map.of());
        TestBroker.Collector c = new TestBroker.Collector(0);
        q.consume(new ConsumerSpec("live-consumer", true, false, 0, broker.client.connection(), c)).get(10, TimeUnit.SECONDS);

        for (int i = 0; i < 200; i++) {
            publish("", "live", "m" + i + "-");
        }

        for (int i = 0; i < 200; i++) {
            assertThat(body(c.next())).isEqualTo(expected("m" + i + "-"));
        }
        awaitAllReleased();
    }

    @Test
    void aFanOutToQueuesAndAStreamKeepsEveryCopyIntact() throws Exception {
        vhost.declareExchange(new ExchangeDefinition("fan", "fanout", true, false, false, Map.of()), false, broker.client)
                .get(10, TimeUnit.SECONDS);
        Queue a = declare("a", true, Map.of());
        Queue b = declare("b", false, Map.of());
        vhost.streamAdmin().create(new StreamDefinition("log", 1, Map.of()), broker.client).get(10, TimeUnit.SECONDS);
        for (String q : List.of("a", "b")) {
            vhost.bind(new Binding("fan", false, q, "", Map.of()), broker.client).get(10, TimeUnit.SECONDS);
        }

        for (int i = 0; i < 10; i++) {
            assertThat(publish("fan", "", "f" + i + "-").stored().get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(publish("", "log", "s" + i + "-").stored().get(10, TimeUnit.SECONDS)).isTrue();
        }

        awaitAllReleased();
        for (int i = 0; i < 10; i++) {
            assertThat(a.get(true).get(10, TimeUnit.SECONDS).map(TestBroker::body)).hasValue(expected("f" + i + "-"));
            assertThat(b.get(true).get(10, TimeUnit.SECONDS).map(TestBroker::body)).hasValue(expected("f" + i + "-"));
        }
        List<String> stored = new ArrayList<>();
        try (LogSlice s = vhost.stream("log").partition(0).read(0, 1 << 20)) {
            for (Record r : s.records()) {
                stored.add(new String(StreamMessages.toMessage(r).body(), StandardCharsets.UTF_8));
            }
        }
        assertThat(stored).hasSize(10).first().isEqualTo(expected("s0-"));
        assertThat(stored.get(9)).isEqualTo(expected("s9-"));
    }

    @Test
    void messagesAQueueRefusesDropsOrDeadLettersAreReleasedToo() throws Exception {
        declare("dead", true, Map.of());
        declare("full", true, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        declare("head", true, Map.of("x-max-length", 2, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dead"));
        Queue gone = declare("gone", false, Map.of());

        assertThat(publish("", "full", "kept-").stored().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(publish("", "full", "refused-").stored().get(10, TimeUnit.SECONDS)).isFalse();
        for (int i = 0; i < 5; i++) {
            publish("", "head", "h" + i + "-").stored().get(10, TimeUnit.SECONDS);
        }
        vhost.deleteQueue("gone", false, false, broker.client).get(10, TimeUnit.SECONDS);
        assertThat(gone.enqueue(Message.withBorrowedBody("", "gone", persistent(), persistent().encode(), track("late-"),
                System.currentTimeMillis())).get(10, TimeUnit.SECONDS)).isTrue();
        bodies.get(bodies.size() - 1).release();

        awaitAllReleased();
        Queue dead = vhost.queue("dead");
        await().atMost(10, TimeUnit.SECONDS).until(() -> dead.messageCount() == 3);
        for (int i = 0; i < 3; i++) {
            assertThat(dead.get(true).get(10, TimeUnit.SECONDS).map(TestBroker::body)).hasValue(expected("h" + i + "-"));
        }
    }

    private CountedBody track(String text) {
        CountedBody b = new CountedBody(text);
        bodies.add(b);
        return b;
    }
}
