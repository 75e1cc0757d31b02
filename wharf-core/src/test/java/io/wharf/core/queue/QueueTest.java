package io.wharf.core.queue;

import io.wharf.core.BrokerException;
import io.wharf.core.TestBroker;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.vhost.VirtualHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.wharf.core.TestBroker.body;
import static io.wharf.core.TestBroker.message;
import static io.wharf.core.TestBroker.persistent;
import static io.wharf.core.TestBroker.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class QueueTest {

    @TempDir
    Path dir;

    private TestBroker broker;

    @AfterEach
    void tearDown() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private VirtualHost vhost() throws Exception {
        if (broker == null) {
            broker = new TestBroker(dir);
        }
        return broker.vhost();
    }

    private Queue declare(String name, boolean durable, Map<String, Object> args) throws Exception {
        vhost().declareQueue(new QueueDefinition(name, durable, false, false, args), false, broker.client).get(10, TimeUnit.SECONDS);
        return vhost().queue(name);
    }

    private void publish(String queue, String body) throws Exception {
        publishWith(queue, body, persistent());
    }

    private void publishWith(String queue, String body, io.wharf.core.message.MessageProperties p) throws Exception {
        VirtualHost.PublishResult r = vhost().publish(message("", queue, body, p), false, broker.client);
        assertThat(r.stored().get(10, TimeUnit.SECONDS)).isTrue();
    }

    private TestBroker.Collector consume(Queue q, int prefetch, boolean noAck) throws Exception {
        return consume(q, "c" + System.nanoTime(), prefetch, noAck);
    }

    private TestBroker.Collector consume(Queue q, String tag, int prefetch, boolean noAck) throws Exception {
        TestBroker.Collector c = new TestBroker.Collector(prefetch);
        q.consume(new ConsumerSpec(tag, noAck, false, 0, broker.client.connection(), c)).get(10, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void shouldDeliverInOrderAndRequeueReturnedMessagesAheadInTheirOriginalOrder() throws Exception {
        Queue q = declare("work", true, Map.of());
        for (int i = 0; i < 5; i++) {
            publish("work", "m" + i);
        }
        TestBroker.Collector c = consume(q, "ordered", 0, false);
        List<io.wharf.core.queue.Delivery> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(c.next());
        }
        assertThat(got).extracting(TestBroker::body).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(got).noneMatch(io.wharf.core.queue.Delivery::redelivered);

        assertThat(q.cancel("ordered").get()).isTrue();
        q.requeue(List.of(got.get(3).id(), got.get(1).id()));
        c.ack(got.get(0));

        Optional<io.wharf.core.queue.Delivery> first = q.get(false).get(10, TimeUnit.SECONDS);
        assertThat(first).hasValueSatisfying(d -> {
            assertThat(body(d)).isEqualTo("m1");
            assertThat(d.redelivered()).isTrue();
        });
        assertThat(q.get(true).get(10, TimeUnit.SECONDS).map(TestBroker::body)).hasValue("m3");
    }

    @Test
    void shouldRespectPrefetchCredit() throws Exception {
        Queue q = declare("credit", false, Map.of());
        for (int i = 0; i < 10; i++) {
            publish("credit", "m" + i);
        }
        TestBroker.Collector c = consume(q, 3, false);

        await().atMost(10, TimeUnit.SECONDS).until(() -> c.received.size() == 3);
        io.wharf.core.queue.Delivery d = c.next();
        c.ack(d);

        await().atMost(10, TimeUnit.SECONDS).until(() -> c.received.size() == 3);
        assertThat(q.unackedCount()).isEqualTo(3);
    }

    @Test
    void shouldKeepPersistentMessagesAndUnackedOnesAcrossARestart() throws Exception {
        Queue q = declare("durable", true, Map.of());
        publish("durable", "kept-1");
        publishWith("durable", "transient", io.wharf.core.message.MessageProperties.builder().deliveryMode(1).build());
        publish("durable", "kept-2");
        publish("durable", "acked");
        TestBroker.Collector c = consume(q, 0, false);
        io.wharf.core.queue.Delivery k1 = c.next();
        c.next();
        c.next();
        io.wharf.core.queue.Delivery acked = c.next();
        c.ack(acked);
        await().atMost(10, TimeUnit.SECONDS).until(() -> broker.broker().storage().cursors().get(Queue.logName("/", q.definition(), 0))
                .map(s -> s.isAcked(3)).orElse(false));

        broker.restart();

        Queue again = broker.vhost().queue("durable");
        assertThat(again.messageCount()).isEqualTo(2);
        TestBroker.Collector c2 = consume(again, 0, true);
        io.wharf.core.queue.Delivery r1 = c2.next();
        assertThat(body(r1)).isEqualTo(body(k1));
        assertThat(r1.redelivered()).isTrue();
        io.wharf.core.queue.Delivery r2 = c2.next();
        assertThat(body(r2)).as("second after restart, id %x", r2.id()).isEqualTo("kept-2");
    }

    @Test
    void shouldDeadLetterExpiredMessagesWithXDeath() throws Exception {
        vhost().declareExchange(new ExchangeDefinition("dlx", "fanout", true, false, false, Map.of()), false, broker.client).get();
        Queue dead = declare("dead", true, Map.of());
        vhost().bind(Binding.toQueue("dlx", "dead", "", Map.of()), broker.client).get();
        declare("ttl", true, Map.of("x-message-ttl", 50, "x-dead-letter-exchange", "dlx"));

        publish("ttl", "late");

        await().atMost(10, TimeUnit.SECONDS).until(() -> dead.messageCount() == 1);
        io.wharf.core.queue.Delivery d = dead.get(true).get().orElseThrow();
        assertThat(body(d)).isEqualTo("late");
        @SuppressWarnings("unchecked")
        List<Object> deaths = (List<Object>) d.message().headers().get("x-death");
        assertThat(deaths).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> death = (Map<String, Object>) deaths.get(0);
        assertThat(death).containsEntry("reason", "expired").containsEntry("queue", "ttl").containsEntry("count", 1L);
        assertThat(d.message().headers()).containsEntry("x-first-death-reason", "expired");
    }

    @Test
    void shouldExpireAPerMessageExpirationAtTheHead() throws Exception {
        Queue q = declare("per-message", false, Map.of());
        publishWith("per-message", "short", props(null, null, "1"));
        publish("per-message", "long");

        await().atMost(10, TimeUnit.SECONDS).until(() -> q.messageCount() == 1);
        assertThat(q.get(true).get().map(TestBroker::body)).hasValue("long");
    }

    @Test
    void shouldDropTheHeadOverMaxLengthOrRejectThePublish() throws Exception {
        Queue drop = declare("drop", false, Map.of("x-max-length", 2));
        for (int i = 0; i < 5; i++) {
            publish("drop", "m" + i);
        }
        assertThat(drop.get(true).get().map(TestBroker::body)).hasValue("m3");

        declare("reject", false, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        publish("reject", "first");
        VirtualHost.PublishResult second = vhost().publish(message("", "reject", "second", persistent()), false, broker.client);
        assertThat(second.stored().get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void shouldServeHigherPrioritiesFirst() throws Exception {
        Queue q = declare("prio", true, Map.of("x-max-priority", 5));
        publishWith("prio", "low", props(null, 1, null));
        publishWith("prio", "none", props(null, null, null));
        publishWith("prio", "high", props(null, 9, null));
        publishWith("prio", "mid", props(null, 3, null));

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            order.add(body(q.get(true).get().orElseThrow()));
        }
        assertThat(order).containsExactly("high", "mid", "low", "none");
    }

    @Test
    void shouldDeliverOnlyToTheSingleActiveConsumerUntilItGoes() throws Exception {
        Queue q = declare("sac", false, Map.of("x-single-active-consumer", true));
        TestBroker.Collector first = new TestBroker.Collector(0);
        TestBroker.Collector second = new TestBroker.Collector(0);
        q.consume(new ConsumerSpec("first", true, false, 0, "c", first)).get();
        q.consume(new ConsumerSpec("second", true, false, 0, "c", second)).get();
        for (int i = 0; i < 5; i++) {
            publish("sac", "m" + i);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.received.size() == 5);
        assertThat(second.received).isEmpty();

        q.cancel("first").get();
        publish("sac", "after");

        assertThat(body(second.next())).isEqualTo("after");
    }

    @Test
    void shouldServeAQueueDeeperThanMemoryFromDisk() throws Exception {
        broker = new TestBroker(dir, s -> new io.wharf.core.BrokerSettings(s.storage(), s.vhosts(), s.users(),
                1 << 20, 64 * 1024, s.memoryHighWatermark(), s.diskFreeLimit()));
        Queue q = declare("deep", true, Map.of());
        List<CompletableFuture<Boolean>> stored = new ArrayList<>();
        String filler = "x".repeat(500);
        for (int i = 0; i < 20_000; i++) {
            stored.add(vhost().publish(message("", "deep", i + ":" + filler, persistent()), false, broker.client).stored());
        }
        CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(q.messageCount()).isEqualTo(20_000);

        TestBroker.Collector c = consume(q, 0, true);
        for (int i = 0; i < 20_000; i++) {
            assertThat(body(c.next())).startsWith(i + ":");
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> broker.broker().storage().logs()
                .get(Queue.logName("/", q.definition(), 0)).orElseThrow().segmentCount() <= 2);
    }

    @Test
    void shouldRefuseAnotherConnectionsExclusiveQueue() throws Exception {
        vhost().declareQueue(new QueueDefinition("mine", false, true, false, Map.of()), false, broker.client).get();
        io.wharf.core.auth.Client other = new io.wharf.core.auth.Client(broker.client.user(), new Object(), "other");

        assertThatThrownBy(() -> vhost().queueForReading("mine", other))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind()).isEqualTo(BrokerException.Kind.RESOURCE_LOCKED));

        vhost().connectionClosed(broker.client.connection()).get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> vhost().queue("mine")).hasMessageContaining("no queue 'mine'");
    }

    @Test
    void shouldDeleteAnAutoDeleteQueueWhenItsLastConsumerGoes() throws Exception {
        vhost().declareQueue(new QueueDefinition("auto", false, false, true, Map.of()), false, broker.client).get();
        Queue q = vhost().queue("auto");
        q.consume(new ConsumerSpec("only", true, false, 0, "c", new TestBroker.Collector(0))).get();

        q.cancel("only").get();

        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThatThrownBy(() -> vhost().queue("auto")).isInstanceOf(BrokerException.class));
    }

    @Test
    void shouldDeleteAQueueUnusedForItsExpiry() throws Exception {
        declare("expiring", false, Map.of("x-expires", 100));

        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThatThrownBy(() -> vhost().queue("expiring")).isInstanceOf(BrokerException.class));
    }

    @Test
    void shouldRefuseInequivalentRedeclarationsAndBadArguments() throws Exception {
        declare("q", true, Map.of("x-message-ttl", 1000));

        assertThatThrownBy(() -> declare("q", false, Map.of("x-message-ttl", 1000)))
                .hasRootCauseMessage("inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is 'true'");
        assertThatThrownBy(() -> declare("q", true, Map.of("x-message-ttl", 2000))).hasRootCauseMessage(
                "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '2000' but current is '1000'");
        assertThatThrownBy(() -> declare("bad", true, Map.of("x-max-length", -1)))
                .hasRootCauseMessage("invalid arg 'x-max-length' for queue 'bad' in vhost '/': it must not be negative, got -1");
        assertThatThrownBy(() -> declare("bad", true, Map.of("x-message-ttl", "soon")))
                .rootCause().hasMessageContaining("must be an integer");
    }

    @Test
    void shouldPurgeReadyMessagesAndReportDeleteConditions() throws Exception {
        Queue q = declare("purge", true, Map.of());
        for (int i = 0; i < 7; i++) {
            publish("purge", "m" + i);
        }
        assertThat(vhost().deleteQueue("purge", false, true, broker.client))
                .failsWithin(10, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("not empty");

        assertThat(vhost().purgeQueue("purge", broker.client).get()).isEqualTo(7);
        assertThat(q.messageCount()).isZero();
        assertThat(vhost().deleteQueue("purge", false, true, broker.client).get()).isZero();
    }

    @Test
    void shouldAcknowledgeAPublishThatReachesAQueueAsItIsDeleted() throws Exception {
        Queue q = declare("going", true, Map.of());
        q.forceDelete().get(10, TimeUnit.SECONDS);

        // Routed before the deletion, enqueued after it: the message goes with the queue.
        assertThat(q.enqueue(message("", "going", "late", persistent())).get(10, TimeUnit.SECONDS)).isTrue();
    }
}
