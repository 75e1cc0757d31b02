package io.wharf.core.vhost;

import io.wharf.core.TestBroker;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same topology commands applied in the same order give the same topology, on another broker
 * and after a restart: what replicating the commands relies on.
 */
class TopologyCommandsTest {

    private static final UUID STREAM_ID = UUID.fromString("6f1d1c2e-6a55-4a39-9d1e-0c1f6d8a2b11");

    private static final List<TopologyCommand> COMMANDS = List.of(
            new TopologyCommand.DeclareExchange(new ExchangeDefinition("orders", "topic", true, false, false, Map.of())),
            new TopologyCommand.DeclareExchange(new ExchangeDefinition("scratch", "fanout", true, true, false, Map.of())),
            new TopologyCommand.DeclareQueue(new QueueDefinition("billing", true, false, false, Map.of("x-max-length", 100L)), null),
            new TopologyCommand.DeclareQueue(new QueueDefinition("audit", true, false, false, Map.of()), null),
            new TopologyCommand.Bind(new Binding("orders", false, "billing", "order.*", Map.of())),
            new TopologyCommand.Bind(new Binding("orders", false, "audit", "#", Map.of())),
            new TopologyCommand.Bind(new Binding("scratch", false, "audit", "", Map.of())),
            // Its last binding gone, the auto-delete exchange goes too.
            new TopologyCommand.Unbind(new Binding("scratch", false, "audit", "", Map.of())),
            new TopologyCommand.CreateStream(new StreamDefinition("events", 2, Map.of("retention.ms", "60000"), STREAM_ID)),
            new TopologyCommand.AddPartitions("events", 3),
            new TopologyCommand.ReconfigureStream("events", Map.of("retention.ms", "120000")),
            new TopologyCommand.Bind(new Binding("orders", false, "events", "order.created", Map.of())),
            new TopologyCommand.DeleteQueue("billing"),
            // Applying a command that finds nothing to change changes nothing.
            new TopologyCommand.DeleteQueue("billing"),
            new TopologyCommand.Bind(new Binding("orders", false, "nowhere", "x", Map.of())));

    @TempDir
    Path first;

    @TempDir
    Path second;

    @Test
    void shouldGiveTheSameTopologyWhereverAndWheneverTheCommandsAreApplied() throws Exception {
        try (TestBroker a = new TestBroker(first); TestBroker b = new TestBroker(second)) {
            for (TopologyCommand c : COMMANDS) {
                a.vhost().applyCommitted(c).get(10, TimeUnit.SECONDS);
            }
            for (TopologyCommand c : COMMANDS) {
                b.vhost().applyCommitted(c).get(10, TimeUnit.SECONDS);
            }
            String applied = describe(a.vhost());

            assertThat(applied).contains("exchange orders", "queue audit", "stream events 3 {retention.ms=120000}")
                    .doesNotContain("scratch", "billing", "nowhere");
            assertThat(describe(b.vhost())).isEqualTo(applied);
            a.restart();
            assertThat(describe(a.vhost())).as("after a restart").isEqualTo(applied);
        }
    }

    /** Everything the commands can change, in a stable order. */
    private static String describe(VirtualHost vh) {
        TreeSet<String> out = new TreeSet<>();
        for (Exchange e : vh.exchanges()) {
            ExchangeDefinition d = e.definition();
            out.add("exchange " + d.name() + " " + d.type() + " durable=" + d.durable() + " autoDelete=" + d.autoDelete());
            for (Binding b : e.bindings()) {
                out.add("binding " + b.source() + " -> " + b.destination() + " '" + b.routingKey() + "' " + new TreeMap<>(b.arguments()));
            }
        }
        for (Queue q : vh.queues()) {
            out.add("queue " + q.name() + " " + new TreeMap<>(q.definition().arguments()));
        }
        for (Stream s : vh.streams()) {
            out.add("stream " + s.name() + " " + s.partitionCount() + " " + new TreeMap<>(s.definition().configs()) + " " + s.definition().id());
        }
        return String.join("\n", out);
    }
}
