package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.TestBroker;
import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.core.queue.QueueDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two brokers joined to one log of metadata commands, standing in for a cluster's metadata
 * group: what either decides is applied on both, in the log's order, and a decision that another
 * node's command overtook is answered as that command left things.
 */
class ReplicatedTopologyTest {

    @TempDir
    Path first;

    @TempDir
    Path second;

    @Test
    void shouldApplyWhatEitherDecidesOnBothAndAnswerAnOvertakenDeclarationAsItEnded() throws Exception {
        try (TestBroker a = new TestBroker(first); TestBroker b = new TestBroker(second)) {
            SharedClusterLog log = new SharedClusterLog();
            log.join(a.broker(), b.broker());

            a.vhost().declareQueue(new QueueDefinition("billing", true, false, false, Map.of()), false, a.client).get(10, TimeUnit.SECONDS);
            assertThat(b.vhost().findQueue("billing")).isPresent();
            // Belongs to a alone.
            a.vhost().declareQueue(new QueueDefinition("scratch", false, false, false, Map.of()), false, a.client).get(10, TimeUnit.SECONDS);
            assertThat(b.vhost().findQueue("scratch")).isEmpty();

            // Another node declares "audit" differently between a's decision and its commit.
            log.overtaking.add(MetadataCommandCodec.encode("/", new TopologyCommand.DeclareQueue(
                    new QueueDefinition("audit", true, false, false, Map.of("x-max-length", 5L)), null)));
            CompletableFuture<VirtualHost.QueueDeclared> declared = a.vhost().declareQueue(
                    new QueueDefinition("audit", true, false, false, Map.of("x-max-length", 10L)), false, a.client);
            assertThatThrownBy(() -> declared.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BrokerException.class).hasMessageContaining("inequivalent arg 'x-max-length'");
            assertThat(a.vhost().queue("audit").definition().arguments()).containsEntry("x-max-length", 5L);
            assertThat(b.vhost().queue("audit").definition().arguments()).containsEntry("x-max-length", 5L);

            b.vhost().deleteQueue("billing", false, false, b.client).get(10, TimeUnit.SECONDS);
            assertThat(a.vhost().findQueue("billing")).isEmpty();
            b.broker().createVirtualHost("tenant").get(10, TimeUnit.SECONDS);
            assertThat(a.broker().vhost("tenant")).isPresent();

            // Users made on one node log in on the other, with the permissions given on either.
            assertThat(b.broker().users().put(new User("alice", Set.of(), Map.of(), false), "wonderland")
                    .get(10, TimeUnit.SECONDS)).as("new").isTrue();
            assertThat(a.broker().users().setPermission("alice", "tenant", new Permission(".*", ".*", ".*"))
                    .get(10, TimeUnit.SECONDS)).as("first in the vhost").isTrue();
            assertThat(a.broker().users().authenticate("alice", "wonderland", null)).isPresent();
            assertThat(b.broker().users().get("alice").orElseThrow().permission("tenant")).isPresent();
            // Deleting a vhost revokes its permissions on every node.
            a.broker().deleteVirtualHost("tenant").get(10, TimeUnit.SECONDS);
            assertThat(b.broker().users().get("alice").orElseThrow().permission("tenant")).isEmpty();
            assertThat(b.broker().vhost("tenant")).isEmpty();
            a.broker().users().delete("alice").get(10, TimeUnit.SECONDS);
            assertThat(b.broker().users().get("alice")).isEmpty();
        }
    }
}
