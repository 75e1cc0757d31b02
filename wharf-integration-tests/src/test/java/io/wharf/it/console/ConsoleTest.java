package io.wharf.it.console;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.impl.AMQConnection;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console in a real browser against a real broker: what clients do through AMQP and
 * Kafka shows up on its pages without a reload, and what an operator does on the pages reaches
 * the clients.
 */
class ConsoleTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().with("storage.fsync", "never");

    @TempDir
    static Path profile;

    private static ChromeDriver browser;
    private static Console console;

    private final Clients clients = new Clients(wharf);

    @BeforeAll
    static void startBrowser() {
        browser = Chromium.start(profile);
        console = new Console(browser, wharf.httpPort(), null);
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void signIn() {
        console.signIn("guest", "guest");
    }

    @AfterEach
    void closeClients() throws Exception {
        clients.close();
    }

    @Test
    void shouldRefuseWrongPasswordAndShowOverviewForRightOne() {
        console.click("#logout");
        console.awaitPresent("#login-form");

        console.submitLogin("guest", "not-the-password");
        console.awaitText("#login-error", error -> assertThat(error).isNotBlank());
        assertThat(console.findAll("#nav:not([hidden])")).isEmpty();

        console.submitLogin("guest", "guest");
        console.awaitText("#page-title", "Overview");
        console.awaitText("#session-user", "guest");
        console.awaitText("#overview-about [data-fact='version']", version -> assertThat(version).startsWith("Wharf"));
        console.awaitPresent("#overview-totals [data-total='queues']");
        console.awaitChartPoints("overview-rates", 2);
    }

    @Test
    void shouldShowWhatAQueueLostToDamageOnItsPage() throws Exception {
        Channel channel = clients.amqp("console-damage").createChannel();
        channel.queueDeclare("console.damaged", true, false, false, Map.of());
        for (int i = 0; i < 200; i++) {
            channel.basicPublish("", "console.damaged", null, ("message " + i + " " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8));
        }
        Path segment;
        try (var dirs = Files.list(wharf.dataDir().resolve("logs"))) {
            Path log = dirs.filter(d -> d.getFileName().toString().endsWith("%2Fconsole.damaged")).findFirst().orElseThrow();
            segment = log.resolve(String.format("%020d.log", 0));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(segment) > 20_000);
        try (var ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x5A, 0x5A, 0x5A, 0x5A}), 5000);
        }
        // The scrub finds it without any client reading the damaged message.
        wharf.server().broker().storage().scrubber().scrubNow().get();

        console.open("queues/%2F/console.damaged");
        console.awaitText("#queue-name", "console.damaged");
        console.awaitText("#queue-damage-summary", text -> assertThat(text).startsWith("1 damaged stretch(es) on disk"));
        console.awaitText("#queue-damage-details tbody [data-col='file']", segment.toString());
        // Which check the four bytes fail (a header field, the base offset, the CRC) depends on how
        // the queue batched its messages: the page shows whichever the log found.
        String reason = wharf.server().broker().vhost("/").orElseThrow().queue("console.damaged").damage().get(0).reason();
        assertThat(reason).isNotBlank();
        console.awaitText("#queue-damage-details tbody [data-col='reason']", reason);
    }

    @Test
    void shouldShowDeclaredQueueAndItsDepthThenPurgeIt() throws Exception {
        Channel channel = clients.amqp("console-depth").createChannel();
        channel.queueDeclare("console.depth", true, false, false, Map.of());
        console.open("queues");
        String row = "#queues-table tr[data-name='console.depth']";
        console.awaitText(row + " [data-col='messages_ready']", "0");

        for (int i = 0; i < 3; i++) {
            channel.basicPublish("", "console.depth", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        console.awaitText(row + " [data-col='messages_ready']", "3");

        console.click(row + " [data-col='name'] a");
        console.awaitText("#queue-name", "console.depth");
        console.awaitText("#queue-properties [data-fact='messages_ready']", "3");
        console.click("#queue-purge");
        console.acceptConfirm();
        console.awaitText("#queue-action-status", "Queue purged.");
        console.awaitText("#queue-properties [data-fact='messages_ready']", "0");
        assertThat(channel.queueDeclarePassive("console.depth").getMessageCount()).isZero();
    }

    @Test
    void shouldDeclareAQueueAndAnExchangeFromTheirPages() throws Exception {
        console.open("queues");
        console.type("#declare-queue-name", "console.declared");
        console.type("#declare-queue-arguments", "x-max-length=5");
        console.click("#declare-queue-submit");
        console.awaitText("#declare-queue-status", "Queue \"console.declared\" declared.");
        console.awaitPresent("#queues-table tr[data-name='console.declared']");

        Channel channel = clients.amqp("console-declared").createChannel();
        assertThat(channel.queueDeclarePassive("console.declared").getMessageCount()).isZero();
        // The argument arrived as a number: a client declaring it the same way is not refused.
        channel.queueDeclare("console.declared", true, false, false, Map.of("x-max-length", 5L));

        console.type("#declare-queue-name", "amq.not-allowed");
        console.click("#declare-queue-submit");
        console.awaitText("#declare-queue-status", status -> assertThat(status).contains("amq."));

        console.open("exchanges");
        console.type("#declare-exchange-name", "console.fanout");
        console.select("#declare-exchange-type", "fanout");
        console.click("#declare-exchange-submit");
        console.awaitText("#declare-exchange-status", "Exchange \"console.fanout\" declared.");
        console.awaitText("#exchanges-table tr[data-name='console.fanout'] [data-col='type']", "fanout");
    }

    @Test
    void shouldPublishAndGetMessagesThroughTheQueuePage() throws Exception {
        Channel channel = clients.amqp("console-forms").createChannel();
        channel.queueDeclare("console.forms", true, false, false, Map.of());
        console.open("queues/%2F/console.forms");
        console.awaitText("#queue-properties [data-fact='messages_ready']", "0");

        console.type("#publish-payload", "first from the console");
        console.type("#publish-headers", "source=console");
        console.click("#publish-submit");
        console.awaitText("#publish-status", "Message published.");
        console.type("#publish-payload", "second from the console");
        console.click("#publish-submit");
        console.awaitText("#queue-properties [data-fact='messages_ready']", "2");

        console.select("#get-ackmode", "ack_requeue_false");
        console.click("#get-submit");
        console.awaitText("#get-results .payload", "first from the console");
        assertThat(console.text("#get-results [data-fact='headers']")).isEqualTo("source=console");

        GetResponse second = channel.basicGet("console.forms", true);
        assertThat(new String(second.getBody(), StandardCharsets.UTF_8)).isEqualTo("second from the console");
        assertThat(second.getProps().getHeaders()).containsKey("source");
        assertThat(second.getProps().getHeaders().get("source").toString()).isEqualTo("console");
        assertThat(channel.queueDeclarePassive("console.forms").getMessageCount()).isZero();
    }

    @Test
    void shouldShowStreamAndConsumerGroupWithLag() throws Exception {
        clients.kafkaAdmin().createTopics(List.of(new NewTopic("console-clicks", 2, (short) 1))).all().get();
        KafkaProducer<String, String> producer = clients.kafkaProducer();
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>("console-clicks", i < 6 ? 0 : 1, "k" + i, "click " + i));
        }
        producer.flush();
        KafkaConsumer<String, String> consumer = clients.kafkaConsumer("console-readers");
        consumer.subscribe(List.of("console-clicks"));
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return consumer.assignment().size() == 2;
        });
        TopicPartition p0 = new TopicPartition("console-clicks", 0);
        TopicPartition p1 = new TopicPartition("console-clicks", 1);
        consumer.commitSync(Map.of(p0, new OffsetAndMetadata(2), p1, new OffsetAndMetadata(4)));

        console.open("streams");
        String stream = "#streams-table tr[data-name='console-clicks']";
        console.awaitText(stream + " [data-col='partitions']", "2");
        console.awaitText(stream + " [data-col='offsets']", "0: 0…5, 1: 0…3");
        String group = "#groups-table tr[data-name='console-readers']";
        console.awaitText(group + " [data-col='lag']", "4");
        console.awaitText(group + " [data-col='members']", "1");

        console.click(group + " [data-col='name'] a");
        console.awaitText("#group-name", "console-readers");
        console.awaitText("#group-offsets tr[data-partition='0'] [data-col='lag']", "4");
        console.awaitText("#group-offsets tr[data-partition='1'] [data-col='lag']", "0");
        console.awaitText("#group-members tbody [data-col='assignment']", "console-clicks [0, 1]");
    }

    @Test
    void shouldListAmqpConnectionAndCloseItFromThePage() throws Exception {
        Connection connection = clients.amqp("console-victim");
        console.open("connections");
        String row = "#connections-table tr[data-name*=':" + ((AMQConnection) connection).getLocalPort() + " ']";
        console.awaitText(row + " [data-col='protocol']", protocol -> assertThat(protocol).startsWith("AMQP"));
        console.awaitText(row + " [data-col='user']", "guest");

        console.click(row + " [data-col='close'] button");
        console.acceptConfirm();
        await().atMost(Duration.ofSeconds(30)).until(() -> !connection.isOpen());
        console.awaitAbsent(row);
    }
}
