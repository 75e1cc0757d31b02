package io.wharf.it.kafka;

import io.wharf.core.connection.ClientConnections;
import io.wharf.it.support.LocalAddresses;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Kafka clients act as {@code kafka.anonymous-user} until they can log in. By default that is
 * guest, which RabbitMQ's rule keeps to loopback: a client from another address is refused.
 */
class KafkaRemoteClientTest {

    private static final InetAddress REMOTE = LocalAddresses.nonLoopback();

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().with("kafka.host", REMOTE.getHostAddress());

    @Test
    void shouldRefuseAClientFromAnAddressOtherThanLoopbackWithoutCredentials() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, REMOTE.getHostAddress() + ":" + wharf.kafkaPort(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(config)) {
            Throwable refused = catchThrowable(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
            assertThat(refused).isInstanceOf(ExecutionException.class);
        }
        ClientConnections connections = wharf.server().broker().connections();
        await().untilAsserted(() -> assertThat(connections.rejections())
                .containsKey(new ClientConnections.Rejection("Kafka", "SASL_AUTHENTICATION_FAILED")));
        assertThat(connections.all()).noneMatch(c -> c.protocol().equals("Kafka"));
    }
}
