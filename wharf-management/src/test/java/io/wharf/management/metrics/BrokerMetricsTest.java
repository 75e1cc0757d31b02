package io.wharf.management.metrics;

import io.wharf.core.Broker;
import io.wharf.core.Registration;
import io.wharf.core.auth.Client;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.queue.ConsumerSpec;
import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueConsumer;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.ConsumerGroupDirectory;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.record.RecordBatchBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BrokerMetricsTest {

    private static final Map<String, String> ORDERS = Map.of("vhost", "/", "queue", "orders");

    @TempDir
    Path dir;

    private Broker broker;
    private VirtualHost vhost;
    private Client client;
    private BrokerMetrics metrics;

    @BeforeEach
    void openBroker() throws Exception {
        broker = TestBrokers.open(dir);
        vhost = broker.vhost("/").orElseThrow();
        client = TestBrokers.guest(broker);
        metrics = new BrokerMetrics(broker);
    }

    @AfterEach
    void closeBroker() throws Exception {
        metrics.close();
        broker.close();
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(metrics.scrape());
    }

    private double value(String name, Map<String, String> labels) {
        return scrape().value(name, labels)
                .orElseThrow(() -> new AssertionError("no sample " + name + labels + " in the scrape"));
    }

    private Queue declare(String name, Map<String, Object> args) throws Exception {
        vhost.declareQueue(new QueueDefinition(name, true, false, false, args), false, client).get(10, TimeUnit.SECONDS);
        return vhost.queue(name);
    }

    private void publish(String queue, String body) throws Exception {
        Message m = Message.of("", queue, MessageProperties.builder().deliveryMode(2).build(),
                body.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
        assertThat(vhost.publish(m, false, client).stored().get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldCountWhatAQueuePublishesDeliversAndAcknowledges() throws Exception {
        Queue orders = declare("orders", Map.of());
        publish("orders", "one");
        publish("orders", "two");
        publish("orders", "three");

        assertThat(value("wharf_queue_messages_published_total", ORDERS)).isEqualTo(3);
        assertThat(value("wharf_queue_messages_published_bytes_total", ORDERS)).isEqualTo(11);
        await().atMost(10, TimeUnit.SECONDS).until(() -> value("wharf_queue_messages_ready", ORDERS) == 3);
        assertThat(value("wharf_queue_disk_bytes", ORDERS)).isPositive();

        Collector consumer = new Collector();
        orders.consume(new ConsumerSpec("c1", false, false, 0, client.connection(), consumer)).get(10, TimeUnit.SECONDS);
        List<Delivery> got = consumer.take(3);
        orders.ack(got.get(0).id());
        orders.ack(got.get(1).id());

        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            PrometheusText s = scrape();
            assertThat(s.value("wharf_queue_messages_delivered_total", ORDERS)).hasValue(3);
            assertThat(s.value("wharf_queue_messages_delivered_bytes_total", ORDERS)).hasValue(11);
            assertThat(s.value("wharf_queue_messages_acknowledged_total", ORDERS)).hasValue(2);
            assertThat(s.value("wharf_queue_messages_unacknowledged", ORDERS)).hasValue(1);
            assertThat(s.value("wharf_queue_messages_ready", ORDERS)).hasValue(0);
            assertThat(s.value("wharf_queue_consumers", ORDERS)).hasValue(1);
            assertThat(s.value("wharf_queue_messages_redelivered_total", ORDERS)).hasValue(0);
        });
        assertThat(scrape().type("wharf_queue_messages_published_total")).isEqualTo("counter");
        assertThat(scrape().type("wharf_queue_messages_ready")).isEqualTo("gauge");
    }

    @Test
    void shouldCountADeliveryRejectedToTheDeadLetterExchange() throws Exception {
        vhost.declareExchange(new ExchangeDefinition("dlx", "fanout", true, false, false, Map.of()), false, client).get();
        declare("dead", Map.of());
        vhost.bind(Binding.toQueue("dlx", "dead", "", Map.of()), client).get();
        Queue work = declare("work", Map.of("x-dead-letter-exchange", "dlx"));
        publish("work", "poison");

        Delivery d = work.get(false).get(10, TimeUnit.SECONDS).orElseThrow();
        work.reject(d.id(), false);

        Map<String, String> workLabels = Map.of("vhost", "/", "queue", "work");
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            PrometheusText s = scrape();
            assertThat(s.value("wharf_queue_messages_dead_lettered_total", workLabels)).hasValue(1);
            assertThat(s.value("wharf_queue_messages_ready", Map.of("vhost", "/", "queue", "dead"))).hasValue(1);
            assertThat(s.value("wharf_queue_messages_published_total", Map.of("vhost", "/", "queue", "dead"))).hasValue(1);
        });
    }

    @Test
    void shouldRedeliverARequeuedMessageAndCountIt() throws Exception {
        Queue orders = declare("orders", Map.of());
        publish("orders", "again");
        Delivery first = orders.get(false).get(10, TimeUnit.SECONDS).orElseThrow();
        orders.reject(first.id(), true);
        Delivery second = orders.get(true).get(10, TimeUnit.SECONDS).orElseThrow();

        assertThat(second.redelivered()).isTrue();
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(scrape().value("wharf_queue_messages_redelivered_total", ORDERS)).hasValue(1));
    }

    @Test
    void shouldTimeEveryFsyncInAHistogramAndMeasureTheLogs() throws Exception {
        declare("orders", Map.of());
        publish("orders", "durable");

        PrometheusText s = scrape();
        double count = s.value("wharf_storage_fsync_seconds_count", Map.of()).orElseThrow();
        assertThat(count).isPositive();
        assertThat(s.value("wharf_storage_fsync_seconds_sum", Map.of()).orElseThrow()).isPositive();
        assertThat(s.value("wharf_storage_fsync_seconds_bucket", Map.of("le", "+Inf"))).hasValue(count);
        List<PrometheusText.Sample> buckets = s.samples("wharf_storage_fsync_seconds_bucket", Map.of());
        assertThat(buckets).hasSizeGreaterThan(10);
        double smallest = buckets.stream().mapToDouble(b -> PrometheusText.number(b.labels().get("le"))).min().orElseThrow();
        double largestFinite = buckets.stream().mapToDouble(b -> PrometheusText.number(b.labels().get("le")))
                .filter(Double::isFinite).max().orElseThrow();
        assertThat(smallest).isLessThanOrEqualTo(StorageMeters.FSYNC_MIN.toNanos() / 1e9 * 1.5);
        assertThat(largestFinite).isGreaterThanOrEqualTo(StorageMeters.FSYNC_MAX.toSeconds());
        assertThat(s.type("wharf_storage_fsync_seconds")).isEqualTo("histogram");

        assertThat(s.value("wharf_storage_log_bytes", Map.of()).orElseThrow())
                .isGreaterThanOrEqualTo(value("wharf_queue_disk_bytes", ORDERS)).isPositive();
        assertThat(s.value("wharf_disk_free_bytes", Map.of()).orElseThrow()).isPositive();
        assertThat(s.value("wharf_resource_alarm", Map.of())).hasValue(0);
    }

    @Test
    void shouldMeasureStreamPartitionsAndTheLagOfConsumerGroups() throws Exception {
        Stream events = vhost.streamAdmin().create(new StreamDefinition("events", 2, Map.of()), client).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            events.partition(0).append(batch("e" + i)).get(10, TimeUnit.SECONDS);
        }
        events.partition(1).append(batch("x")).get(10, TimeUnit.SECONDS);
        try (LogSlice slice = events.partition(0).read(0, 1 << 20)) {
            assertThat(slice.sizeInBytes()).isPositive();
        }
        vhost.groupOffsets().commit("billing", "events", 0, 3, null).get(10, TimeUnit.SECONDS);

        PrometheusText s = scrape();
        Map<String, String> p0 = Map.of("vhost", "/", "stream", "events", "partition", "0");
        Map<String, String> p1 = Map.of("vhost", "/", "stream", "events", "partition", "1");
        assertThat(s.value("wharf_stream_messages_published_total", p0)).hasValue(5);
        assertThat(s.value("wharf_stream_messages_published_total", p1)).hasValue(1);
        assertThat(s.value("wharf_stream_messages_published_bytes_total", p0).orElseThrow()).isPositive();
        assertThat(s.value("wharf_stream_messages_delivered_total", p0)).hasValue(5);
        assertThat(s.value("wharf_stream_messages_delivered_bytes_total", p0).orElseThrow()).isPositive();
        assertThat(s.value("wharf_stream_messages", p0)).hasValue(5);
        assertThat(s.value("wharf_stream_disk_bytes", p0).orElseThrow()).isPositive();
        long hw = events.partition(0).highWatermark();
        assertThat(s.value("wharf_consumer_group_lag",
                Map.of("vhost", "/", "group", "billing", "stream", "events", "partition", "0"))).hasValue(hw - 3);
        assertThat(s.samples("wharf_consumer_group_lag", Map.of("partition", "1"))).isEmpty();

        events.partition(0).append(batch("e5")).get(10, TimeUnit.SECONDS);
        assertThat(value("wharf_consumer_group_lag",
                Map.of("vhost", "/", "group", "billing", "stream", "events", "partition", "0"))).isEqualTo(hw + 1 - 3);
    }

    @Test
    void shouldCountTheLiveMembersOfAGroupWhileItsCoordinatorReportsIt() throws Exception {
        ConsumerGroupDirectory.Member a = new ConsumerGroupDirectory.Member("m-1", "app", "127.0.0.1", Map.of());
        ConsumerGroupDirectory.Member b = new ConsumerGroupDirectory.Member("m-2", "app", "127.0.0.1", Map.of());
        Registration coordinator = vhost.consumerGroups().register(() -> List.of(
                new ConsumerGroupDirectory.Group("billing", "Stable", "consumer", "range", 1, List.of(a, b))));
        Map<String, String> billing = Map.of("vhost", "/", "group", "billing");

        assertThat(value("wharf_consumer_group_members", billing)).isEqualTo(2);

        coordinator.close();
        assertThat(scrape().value("wharf_consumer_group_members", billing)).isEmpty();
    }

    @Test
    void shouldDropTheMetersOfADeletedQueueAndStartAgainForOneDeclaredUnderItsName() throws Exception {
        declare("orders", Map.of());
        publish("orders", "one");
        vhost.streamAdmin().create(new StreamDefinition("events", 1, Map.of()), client).get(10, TimeUnit.SECONDS);
        assertThat(value("wharf_queue_messages_published_total", ORDERS)).isEqualTo(1);

        vhost.deleteQueue("orders", false, false, client).get(10, TimeUnit.SECONDS);
        vhost.streamAdmin().delete("events", client).get(10, TimeUnit.SECONDS);

        PrometheusText after = scrape();
        assertThat(after.samples("wharf_queue_messages_published_total", Map.of("queue", "orders"))).isEmpty();
        assertThat(after.samples("wharf_queue_messages_ready", Map.of("queue", "orders"))).isEmpty();
        assertThat(after.samples("wharf_stream_messages", Map.of("stream", "events"))).isEmpty();

        declare("orders", Map.of());
        assertThat(value("wharf_queue_messages_published_total", ORDERS)).isZero();
    }

    @Test
    void shouldCountConnectionsByProtocolAndRejectedFrames() throws Exception {
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 5672);
        Registration first = broker.connections().register(new ClientConnection("AMQP",
                new InetSocketAddress("127.0.0.1", 40001), local, System.currentTimeMillis(), reason -> { }));
        Registration second = broker.connections().register(new ClientConnection("AMQP",
                new InetSocketAddress("127.0.0.1", 40002), local, System.currentTimeMillis(), reason -> { }));
        Map<String, String> amqp = Map.of("protocol", "AMQP");
        assertThat(value("wharf_connections", amqp)).isEqualTo(2);

        first.close();
        second.close();
        broker.connections().rejected("AMQP", "NOT_FOUND");
        broker.connections().rejected("AMQP", "NOT_FOUND");
        broker.connections().rejected("STOMP", "ERROR");

        PrometheusText s = scrape();
        assertThat(s.value("wharf_connections", amqp)).hasValue(0);
        assertThat(s.value("wharf_connections_opened_total", amqp)).hasValue(2);
        assertThat(s.value("wharf_frames_rejected_total", Map.of("protocol", "AMQP", "error", "NOT_FOUND"))).hasValue(2);
        assertThat(s.value("wharf_frames_rejected_total", Map.of("protocol", "STOMP", "error", "ERROR"))).hasValue(1);
    }

    @Test
    void shouldExposeTheJvmAndTheProcess() {
        PrometheusText s = scrape();

        assertThat(s.samples("jvm_memory_used_bytes", Map.of("area", "heap"))).isNotEmpty();
        assertThat(s.samples("jvm_memory_max_bytes", Map.of("area", "heap"))).isNotEmpty();
        assertThat(s.samples("jvm_threads_live_threads", Map.of())).isNotEmpty();
        assertThat(s.samples("jvm_classes_loaded_classes", Map.of())).isNotEmpty();
        assertThat(s.samples("jvm_gc_memory_allocated_bytes_total", Map.of())).isNotEmpty();
        assertThat(s.samples("process_cpu_usage", Map.of())).isNotEmpty();
        assertThat(s.samples("system_cpus", Map.of())).isNotEmpty();
        assertThat(s.samples("process_cpu_seconds_total", Map.of())).isNotEmpty();
        assertThat(s.samples("process_uptime_seconds", Map.of())).isNotEmpty();
        assertThat(s.samples("process_files_open_files", Map.of())).isNotEmpty();
    }

    @Test
    void shouldAnswerOpenMetricsOnlyToScrapersThatAskForIt() {
        BrokerMetrics.Exposition open = metrics.scrape(
                "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
        BrokerMetrics.Exposition plain = metrics.scrape("text/plain");
        BrokerMetrics.Exposition protobuf = metrics.scrape("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");

        assertThat(open.contentType()).isEqualTo(BrokerMetrics.OPENMETRICS_TEXT);
        assertThat(open.body()).endsWith("# EOF\n");
        assertThat(PrometheusText.parse(open.body()).samples("wharf_resource_alarm", Map.of())).hasSize(1);
        assertThat(plain.contentType()).isEqualTo(BrokerMetrics.PROMETHEUS_TEXT).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(plain.body()).doesNotContain("# EOF");
        assertThat(protobuf.contentType()).isEqualTo(BrokerMetrics.PROMETHEUS_TEXT);
        assertThat(PrometheusText.parse(protobuf.body()).samples("wharf_resource_alarm", Map.of())).hasSize(1);
    }

    @Test
    void shouldStayConsistentWhenScrapedConcurrentlyWhileQueuesComeAndGo() throws Exception {
        ExecutorService scrapers = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                running.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 30; i++) {
                        PrometheusText.parse(metrics.scrape());
                    }
                }, scrapers));
            }
            for (int i = 0; i < 15; i++) {
                declare("churn-" + i, Map.of());
                if (i % 2 == 0) {
                    vhost.deleteQueue("churn-" + i, false, false, client).get(10, TimeUnit.SECONDS);
                }
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            scrapers.shutdownNow();
        }

        PrometheusText s = scrape();
        List<String> queues = s.samples("wharf_queue_messages_ready", Map.of()).stream()
                .map(x -> x.labels().get("queue")).sorted().toList();
        assertThat(queues).containsExactly("churn-1", "churn-11", "churn-13", "churn-3", "churn-5", "churn-7", "churn-9");
    }

    @Test
    void shouldStopMeasuringOnceClosed() throws Exception {
        declare("orders", Map.of());
        metrics.close();
        metrics.close();

        assertThatThrownBy(metrics::scrape).isInstanceOf(IllegalStateException.class);
        publish("orders", "after close");
        try (BrokerMetrics again = new BrokerMetrics(broker)) {
            assertThat(PrometheusText.parse(again.scrape()).value("wharf_queue_messages_published_total", ORDERS))
                    .hasValue(1);
        }
    }

    private static java.nio.ByteBuffer batch(String value) {
        return new RecordBatchBuilder().append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** Takes every delivery, with no prefetch limit. */
    private static final class Collector implements QueueConsumer {
        private final LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();

        @Override
        public boolean reserve(int bodyBytes) {
            return true;
        }

        @Override
        public void deliver(Delivery delivery) {
            received.add(delivery);
        }

        @Override
        public void cancelledByBroker(String reason) {
        }

        List<Delivery> take(int n) throws InterruptedException {
            List<Delivery> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Delivery d = received.poll(10, TimeUnit.SECONDS);
                assertThat(d).as("delivery %d of %d", i + 1, n).isNotNull();
                out.add(d);
            }
            return out;
        }
    }
}
