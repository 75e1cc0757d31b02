package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.TestBroker;
import io.wharf.core.auth.Client;
import io.wharf.core.auth.Permission;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.StreamDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.wharf.core.TestBroker.message;
import static io.wharf.core.TestBroker.persistent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VirtualHostsTest {

    @TempDir
    Path dir;

    private TestBroker broker;

    @BeforeEach
    void open() throws Exception {
        broker = new TestBroker(dir);
    }

    @AfterEach
    void close() throws Exception {
        broker.close();
    }

    private Client guestIn(String vhost) throws Exception {
        broker.broker().users().setPermission("guest", vhost, Permission.ALL).get(10, TimeUnit.SECONDS);
        return new Client(broker.broker().users().get("guest").orElseThrow(), new Object(), "test connection");
    }

    private VirtualHost create(String name) throws Exception {
        return broker.broker().createVirtualHost(name).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aVirtualHostCreatedAtRunTimeKeepsItsQueuesAndMessagesAcrossARestart() throws Exception {
        VirtualHost v = create("tenant-a");
        assertThat(create("tenant-a")).isSameAs(v);
        Client c = guestIn("tenant-a");
        v.declareQueue(new QueueDefinition("orders", true, false, false, Map.of()), false, c).get(10, TimeUnit.SECONDS);
        assertThat(v.publish(message("", "orders", "kept", persistent()), false, c).stored().get(10, TimeUnit.SECONDS)).isTrue();

        broker.restart();

        VirtualHost again = broker.broker().vhost("tenant-a").orElseThrow();
        assertThat(again.queue("orders").messageCount()).isEqualTo(1);
        assertThat(broker.broker().vhosts().keySet()).containsExactlyInAnyOrder("/", "tenant-a");
        // The configured guest keeps what it was granted at run time there, and what its configuration gives.
        assertThat(broker.broker().users().get("guest").orElseThrow().permissions()).containsKeys("/", "tenant-a");
    }

    @Test
    void deletingAVirtualHostTakesEverythingInItAndItsPermissions() throws Exception {
        VirtualHost v = create("doomed");
        Client c = guestIn("doomed");
        v.declareQueue(new QueueDefinition("q", true, false, false, Map.of()), false, c).get(10, TimeUnit.SECONDS);
        v.publish(message("", "q", "gone", persistent()), false, c).stored().get(10, TimeUnit.SECONDS);
        // Another connection's exclusive queue, as a client not yet disconnected holds it.
        v.declareQueue(new QueueDefinition("mine", false, true, false, Map.of()), false,
                new Client(c.user(), new Object(), "other connection")).get(10, TimeUnit.SECONDS);
        v.streamAdmin().create(new StreamDefinition("s", 2, Map.of()), c).get(10, TimeUnit.SECONDS);
        v.groupOffsets().commit("g", "s", 0, 5, null).get(10, TimeUnit.SECONDS);
        long logsBefore = broker.broker().storage().logs().onDisk().size();

        assertThat(broker.broker().deleteVirtualHost("doomed").get(10, TimeUnit.SECONDS)).isTrue();

        assertThat(broker.broker().vhost("doomed")).isEmpty();
        assertThat(broker.broker().storage().logs().onDisk().size()).isLessThanOrEqualTo((int) logsBefore - 3);
        assertThat(broker.broker().users().get("guest").orElseThrow().permission("doomed")).isEmpty();
        assertThat(broker.broker().storage().metadata().scan("").keySet()).noneMatch(k -> k.contains("\0doomed"));
        assertThat(broker.broker().deleteVirtualHost("doomed").get(10, TimeUnit.SECONDS)).isFalse();

        // A new one of the same name starts empty, and stays gone after a restart once deleted.
        VirtualHost fresh = create("doomed");
        assertThat(fresh.queues()).isEmpty();
        assertThat(fresh.streams()).isEmpty();
        assertThat(fresh.groupOffsets().groups()).isEmpty();
        broker.broker().deleteVirtualHost("doomed").get(10, TimeUnit.SECONDS);
        broker.restart();
        assertThat(broker.broker().vhost("doomed")).isEmpty();
    }

    @Test
    void aConfiguredVirtualHostIsNotDeletedAndANameMustBeValid() {
        assertThatThrownBy(() -> broker.broker().deleteVirtualHost("/").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokerException.class)
                .hasMessageContaining("configuration");
        assertThat(broker.broker().vhost("/")).isPresent();
        assertThatThrownBy(() -> create("")).hasCauseInstanceOf(BrokerException.class);
        assertThatThrownBy(() -> create("x".repeat(256))).hasCauseInstanceOf(BrokerException.class);
    }
}
