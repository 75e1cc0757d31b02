package io.wharf.it.kafka;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.it.support.LocalAddresses;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A Kafka client acts with the permissions of {@code kafka.anonymous-user}, here a user that may
 * connect from any address and may only produce to and consume from {@code orders}: a topic is the
 * stream of that name, checked like a queue against the user's write, read and configure patterns.
 */
class KafkaPermissionsTest {

    private static final InetAddress REMOTE = LocalAddresses.nonLoopback();
    private static final String BOOTSTRAP_HOST = REMOTE.getHostAddress();

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension()
            .with("kafka.host", BOOTSTRAP_HOST)
            .with("kafka.anonymous-user", "app")
            .with("kafka.auto-create-topics", "true");

    @BeforeAll
    static void usersAndStreams() throws Exception {
        wharf.server().broker().users().put(new User("app", Set.of(), Map.of("/", new Permission("^$", "^orders$", "^orders$")),
                false), "app-password").get(10, TimeUnit.SECONDS);
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            for (String stream : List.of("orders", "secret")) {
                ch.queueDeclare(stream, true, false, false, Map.of("x-queue-type", "stream"));
            }
        }
    }

    private static String bootstrap() {
        return BOOTSTRAP_HOST + ":" + wharf.kafkaPort();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    private static KafkaProducer<String, String> producer() {
        return KafkaClients.producer(0, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000));
    }

    @Test
    void shouldProduceToAndConsumeFromAPermittedTopicFromAnotherAddress() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            RecordMetadata sent = producer.send(new ProducerRecord<>("orders", "k", "an order")).get(30, TimeUnit.SECONDS);
            assertThat(sent.offset()).isNotNegative();
        }
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(0, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            TopicPartition tp = new TopicPartition("orders", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.poll(Duration.ofSeconds(30))).anySatisfy(r -> assertThat(r.value()).isEqualTo("an order"));
        }
        assertThat(wharf.server().broker().connections().all()).filteredOn(c -> c.protocol().equals("Kafka"))
                .allSatisfy(c -> assertThat(c.user()).isEqualTo("app"));
    }

    @Test
    void shouldListOnlyTheTopicsTheUserMayUse() throws Exception {
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("orders").doesNotContain("secret");
        }
    }

    @Test
    void shouldRefuseToProduceToATopicTheUserMayNotWrite() {
        try (KafkaProducer<String, String> producer = producer()) {
            Throwable refused = catchThrowable(() -> producer.send(new ProducerRecord<>("secret", "k", "v")).get(30, TimeUnit.SECONDS));
            assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void shouldRefuseToFetchFromATopicTheUserMayNotRead() {
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(0, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            consumer.assign(List.of(new TopicPartition("secret", 0)));
            Throwable refused = catchThrowable(() -> {
                for (int i = 0; i < 30; i++) {
                    consumer.poll(Duration.ofSeconds(1));
                }
            });
            assertThat(refused).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void shouldRefuseToCreateOrDeleteTopicsWithoutConfigureAccess() {
        try (Admin admin = admin()) {
            Throwable create = catchThrowable(() -> admin.createTopics(List.of(new NewTopic("orders-2", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS));
            assertThat(create).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
            Throwable delete = catchThrowable(() -> admin.deleteTopics(List.of("orders")).all().get(30, TimeUnit.SECONDS));
            assertThat(delete).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(wharf.server().broker().vhost("/").orElseThrow().stream("orders")).isNotNull();
        assertThat(wharf.server().broker().vhost("/").orElseThrow().stream("orders-2")).isNull();
    }
}
