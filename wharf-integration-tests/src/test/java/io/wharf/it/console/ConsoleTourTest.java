package io.wharf.it.console;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Walks through every page of the console while clients of three protocols keep a broker busy,
 * checking that each page shows them. With {@code -Dwharf.console.screenshots=DIR} it also saves
 * a PNG of each page into DIR (scripts/console-screenshots.sh makes the ones in docs/images) and
 * lets the charts fill up first.
 */
class ConsoleTourTest {

    private static final String SCREENSHOTS = System.getProperty("wharf.console.screenshots", "");

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().with("storage.fsync", "never");

    @TempDir
    Path profile;

    private final Clients clients = new Clients(wharf);
    private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "wharf-console-tour-traffic"));
    private ChromeDriver browser;

    @AfterEach
    void stop() throws Exception {
        traffic.shutdownNow();
        assertThat(traffic.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        try {
            clients.close();
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    @Test
    void shouldShowEveryPageOfABusyBroker() throws Exception {
        // Given queues, a stream and a group, and clients of AMQP, Kafka and MQTT at work
        busyBroker();
        browser = Chromium.start(profile);
        Console console = new Console(browser, wharf.httpPort(), SCREENSHOTS.isEmpty() ? null : Path.of(SCREENSHOTS));
        // Charts start empty at each page; for the pictures they get a minute or so of history.
        int chartPoints = console.savesScreenshots() ? 12 : 2;
        console.signIn("guest", "guest");

        console.open("queues");
        console.awaitText("#queues-table tr[data-name='invoices'] [data-col='messages_ready']", "42");
        console.awaitText("#queues-table tr[data-name='audit'] [data-col='messages_ready']", "180");
        console.awaitText("#queues-table tr[data-name='orders'] [data-col='publish']", rate -> assertThat(rate).isNotEqualTo("0/s"));
        console.awaitText("#queues-table tr[data-name='orders'] [data-col='consumers']", "1");
        console.screenshot("queues");
        console.click("#queues-table th[data-col='messages_ready'] button");
        console.awaitText("#queues-table tbody tr:first-child [data-col='name']", "audit");
        console.type("#queues-table-filter", "inv");
        console.awaitAbsent("#queues-table tr[data-name='audit']");
        console.awaitPresent("#queues-table tr[data-name='invoices']");

        console.open("");
        console.awaitText("#overview-protocols tr[data-key='AMQP'] [data-col='connections']", "2");
        console.awaitText("#overview-protocols tr[data-key='MQTT'] [data-col='connections']", "1");
        console.awaitChartPoints("overview-rates", chartPoints);
        console.awaitChartPoints("overview-depth", chartPoints);
        console.screenshot("overview");

        console.open("queues/%2F/orders");
        console.awaitText("#queue-consumers tbody tr [data-col='ack_required']", "yes");
        console.awaitPresent("#queue-bindings tr[data-key^='amq.direct|']");
        console.awaitChartPoints("queue-rates", chartPoints);
        console.screenshot("queue");

        console.open("exchanges");
        console.awaitText("#exchanges-table tr[data-name='amq.topic'] [data-col='type']", "topic");
        console.awaitPresent("#exchanges-table tr[data-name='amq.direct']");
        console.open("exchanges/%2F/amq.topic");
        console.awaitText("#exchange-bindings-source tbody [data-col='routing_key']", "audit.#");
        console.open("exchanges");
        console.awaitPresent("#exchanges-table tr[data-name='amq.topic']");
        console.screenshot("exchanges");

        console.open("streams");
        console.awaitText("#streams-table tr[data-name='events'] [data-col='partitions']", "3");
        console.awaitText("#groups-table tr[data-name='analytics'] [data-col='state']", "Stable");
        console.awaitText("#groups-table tr[data-name='analytics'] [data-col='lag']", lag -> assertThat(lag).isNotEqualTo("0"));
        console.screenshot("streams");

        console.open("groups/%2F/analytics");
        console.awaitPresent("#group-offsets tr[data-partition='2']");
        console.awaitText("#group-members tbody [data-col='assignment']", "events [0, 1, 2]");
        console.screenshot("group");

        console.open("connections");
        console.awaitPresent("#connections-table tr[data-protocol='AMQP']");
        console.awaitPresent("#connections-table tr[data-protocol='Kafka']");
        console.awaitPresent("#connections-table tr[data-protocol='MQTT']");
        console.screenshot("connections");
    }

    private void busyBroker() throws Exception {
        Connection service = clients.amqp("order-service");
        Channel publisher = service.createChannel();
        publisher.queueDeclare("orders", true, false, false, Map.of());
        publisher.queueBind("orders", "amq.direct", "orders");
        publisher.queueDeclare("invoices", true, false, false, Map.of("x-max-length", 10_000));
        publisher.queueDeclare("emails.retry", true, false, false, Map.of("x-message-ttl", 600_000, "x-dead-letter-exchange", ""));
        publisher.queueDeclare("audit", true, false, false, Map.of());
        publisher.queueBind("audit", "amq.topic", "audit.#");
        publish(publisher, "", "invoices", 42);
        publish(publisher, "", "emails.retry", 7);
        publish(publisher, "amq.topic", "audit.orders", 180);

        Channel worker = clients.amqp("billing-worker").createChannel();
        worker.basicQos(50);
        DeliverCallback ack = (tag, delivery) -> worker.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        worker.basicConsume("orders", false, ack, tag -> { });

        clients.kafkaAdmin().createTopics(List.of(new NewTopic("events", 3, (short) 1))).all().get();
        KafkaProducer<String, String> producer = clients.kafkaProducer();
        for (int i = 0; i < 300; i++) {
            producer.send(new ProducerRecord<>("events", "user-" + (i % 17), "event " + i));
        }
        producer.flush();
        KafkaConsumer<String, String> analytics = clients.kafkaConsumer("analytics");
        analytics.subscribe(List.of("events"));
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            analytics.poll(Duration.ofMillis(100));
            return analytics.assignment().size() == 3;
        });
        Map<TopicPartition, OffsetAndMetadata> halfway = new HashMap<>();
        for (TopicPartition p : analytics.assignment()) {
            halfway.put(p, new OffsetAndMetadata(Math.max(0, analytics.endOffsets(List.of(p)).get(p) / 2)));
        }
        analytics.commitSync(halfway);

        clients.mqtt("sensor-gateway").subscribe("sensors/#", 1);

        // A steady trickle, so rates are not zero: about 40 orders and 10 events a second.
        AtomicInteger tick = new AtomicInteger();
        traffic.scheduleAtFixedRate(() -> {
            int n = tick.incrementAndGet();
            try {
                publish(publisher, "amq.direct", "orders", 2);
                if (n % 4 == 0) {
                    producer.send(new ProducerRecord<>("events", "user-" + (n % 17), "event " + n));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
    }

    private static void publish(Channel channel, String exchange, String routingKey, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            channel.basicPublish(exchange, routingKey, null, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
    }
}
