package io.wharf.management.metrics;

import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.ClusterStatus;
import io.wharf.core.cluster.GroupStatus;
import io.wharf.core.cluster.PartitionPlacement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.Broker;
import io.wharf.core.Registration;
import io.wharf.core.auth.Client;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.ConsumerGroupDirectory;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.vhost.VirtualHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics page and the Grafana dashboard name only metrics the broker exports, and the page names them all. */
class MetricsDocsTest {

    private static final Path DOCS = Path.of("..", "docs");
    private static final Pattern METRIC = Pattern.compile("\\b((?:wharf|jvm|process|system)_[a-z0-9_]+)");

    @TempDir
    Path dir;

    /** Every family the broker exports once it has one of everything: queue, stream, group, connection, refusal. */
    private Set<String> exported() throws Exception {
        try (Broker broker = TestBrokers.open(dir)) {
            VirtualHost vhost = broker.vhost("/").orElseThrow();
            Client client = TestBrokers.guest(broker);
            vhost.declareQueue(new QueueDefinition("orders", true, false, false, Map.of()), false, client)
                    .get(10, TimeUnit.SECONDS);
            vhost.publish(Message.of("", "orders", MessageProperties.builder().deliveryMode(2).build(), new byte[] {1},
                    System.currentTimeMillis()), false, client).stored().get(10, TimeUnit.SECONDS);
            vhost.streamAdmin().create(new StreamDefinition("events", 1, Map.of()), client).get(10, TimeUnit.SECONDS);
            vhost.groupOffsets().commit("billing", "events", 0, 0, null).get(10, TimeUnit.SECONDS);
            Registration group = vhost.consumerGroups().register(() -> List.of(
                    new ConsumerGroupDirectory.Group("billing", "Stable", "consumer", "range", 1, List.of())));
            Registration connection = broker.connections().register(new ClientConnection("AMQP",
                    new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", 5672), 0, r -> { }));
            broker.connections().rejected("AMQP", "NOT_FOUND");
            broker.joinCluster(new OneGroupCluster());
            try (BrokerMetrics metrics = new BrokerMetrics(broker)) {
                return PrometheusText.parse(metrics.scrape()).names();
            } finally {
                connection.close();
                group.close();
            }
        }
    }

    /** A cluster node's view, so that the Raft metrics are exported too. */
    private static final class OneGroupCluster implements Cluster {
        @Override
        public String nodeId() {
            return "n1";
        }

        @Override
        public long metadataAppliedIndex() {
            return 10;
        }

        @Override
        public CompletableFuture<Void> metadataApplied(long index) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<byte[]> proposeToPartition(String placementKey, byte[] command) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("nothing is proposed here"));
        }

        @Override
        public PartitionPlacement placement(String placementKey) {
            return new PartitionPlacement("metadata", List.of("n1", "n2"), Optional.of("n1"), 2, List.of("n1", "n2"));
        }

        @Override
        public CompletableFuture<Void> proposeMetadata(byte[] command) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("nothing is proposed here"));
        }

        @Override
        public ClusterStatus status() {
            return new ClusterStatus("n1", List.of(new ClusterStatus.Member("n1", "127.0.0.1:7101", ClusterStatus.MemberState.SELF),
                    new ClusterStatus.Member("n2", "127.0.0.1:7102", ClusterStatus.MemberState.UP)),
                    List.of(new GroupStatus("metadata", "n1", "LEADER", Optional.of("n1"), 2, 10, 10, 1,
                            List.of(new GroupStatus.Replica("n2", 10, 0, 5)))));
        }

        @Override
        public ClusterStatus statusFromLeader() {
            return status();
        }

        @Override
        public CompletableFuture<Void> addMember(String member) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("one group of fixed members"));
        }

        @Override
        public CompletableFuture<Void> removeMember(String id) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("one group of fixed members"));
        }

        @Override
        public void onProposal(LongConsumer nanos) {
            nanos.accept(1_000_000);
        }
    }

    private static Set<String> named(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void shouldChartOnlyExportedMetricsInTheGrafanaDashboard() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DOCS.resolve("grafana-dashboard.json").toFile());
        Set<String> used = new TreeSet<>();
        dashboard.findValues("expr").forEach(e -> used.addAll(named(e.asText())));
        dashboard.findValues("definition").forEach(e -> used.addAll(named(e.asText())));

        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(dashboard.path("__inputs").findValuesAsText("name")).contains("DS_PROMETHEUS");
        assertThat(dashboard.path("templating").path("list").findValuesAsText("name")).contains("vhost");
        assertThat(used).contains("wharf_queue_messages_published_total", "wharf_consumer_group_lag",
                "wharf_storage_fsync_seconds_bucket", "jvm_memory_used_bytes", "process_cpu_usage");
        assertThat(exported()).containsAll(used);
    }

    @Test
    void shouldDocumentEveryBrokerMetricAndNoOther() throws Exception {
        Set<String> documented = named(Files.readString(DOCS.resolve("metrics.md")));
        Set<String> exported = exported();
        Set<String> broker = new TreeSet<>();
        exported.stream().filter(n -> n.startsWith("wharf_") && !n.matches(".*_(bucket|count|sum)")).forEach(broker::add);

        assertThat(documented).containsAll(broker);
        assertThat(exported).containsAll(documented.stream().filter(n -> n.startsWith("wharf_")).toList());
    }
}
