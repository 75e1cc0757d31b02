package io.wharf.core.vhost;

import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;
import io.wharf.core.cluster.NodeRegistration;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataCommandCodecTest {

    private static final Map<String, Object> ARGUMENTS = Map.of(
            "x-dead-letter-exchange", "dlx",
            "x-max-length", 1000,
            "x-message-ttl", 60_000L,
            "x-single-active-consumer", true,
            "x-match", Map.of("nested", "table", "n", 7));

    /** Every kind of command comes back as it went, for the virtual host it names. */
    @Test
    void shouldDecodeEveryCommandItEncodes() {
        List<TopologyCommand> commands = List.of(
                new TopologyCommand.DeclareExchange(new ExchangeDefinition("orders", "topic", true, false, false, ARGUMENTS)),
                new TopologyCommand.DeclareExchange(new ExchangeDefinition("temp", "fanout", false, true, true, Map.of())),
                new TopologyCommand.DeleteExchange("orders"),
                new TopologyCommand.Bind(Binding.toQueue("orders", "eu-orders", "eu.#", ARGUMENTS)),
                new TopologyCommand.Unbind(Binding.toExchange("orders", "audit", "", Map.of())),
                new TopologyCommand.DeclareQueue(new QueueDefinition("eu-orders", true, false, false, ARGUMENTS), null),
                new TopologyCommand.DeclareQueue(new QueueDefinition("scratch", false, false, true, Map.of()), null),
                new TopologyCommand.DeleteQueue("eu-orders"),
                new TopologyCommand.CreateStream(new StreamDefinition("events", 6,
                        Map.of("retention.ms", "86400000", "cleanup.policy", "compact"), UUID.randomUUID())),
                new TopologyCommand.AddPartitions("events", 12),
                new TopologyCommand.ReconfigureStream("events", Map.of("retention.bytes", "1073741824")),
                new TopologyCommand.DeleteStream("events"));

        for (TopologyCommand c : commands) {
            MetadataCommandCodec.TopologyChange back = (MetadataCommandCodec.TopologyChange) MetadataCommandCodec.decode(
                    MetadataCommandCodec.encode("/eu", c));

            assertThat(back.vhost()).isEqualTo("/eu");
            assertThat(back.command()).as("%s", c).isEqualTo(c);
        }
    }

    /** A password travels as its salt and hash, never as itself. */
    @Test
    void shouldDecodeEveryChangeToTheUsersWithoutThePassword() {
        User alice = new User("alice", Set.of("management", "monitoring"),
                Map.of("/", new Permission("^alice\\.", ".*", ""), "/eu", new Permission("", "", ".*")), true);
        UserStore.PasswordHash hash = UserStore.PasswordHash.of("s3cret-passw0rd");
        byte[] put = MetadataCommandCodec.encode(new UserStore.Put(alice, hash));

        assertThat(new String(put, StandardCharsets.ISO_8859_1)).doesNotContain("s3cret-passw0rd");
        UserStore.Put back = (UserStore.Put) ((MetadataCommandCodec.UserChange) MetadataCommandCodec.decode(put)).command();
        assertThat(back.user()).isEqualTo(alice);
        assertThat(back.password().salt()).isEqualTo(hash.salt());
        assertThat(back.password().hash()).isEqualTo(hash.hash());
        UserStore.Put keepPassword = (UserStore.Put) ((MetadataCommandCodec.UserChange) MetadataCommandCodec.decode(
                MetadataCommandCodec.encode(new UserStore.Put(alice, null)))).command();
        assertThat(keepPassword.password()).isNull();
        for (UserStore.Command c : List.of(new UserStore.Delete("alice"),
                new UserStore.SetPermission("alice", "/eu", new Permission("a", "b", "c")),
                new UserStore.SetPermission("alice", "/eu", null))) {
            assertThat(((MetadataCommandCodec.UserChange) MetadataCommandCodec.decode(MetadataCommandCodec.encode(c))).command())
                    .isEqualTo(c);
        }
    }

    @Test
    void shouldDecodeANodesRegistration() {
        NodeRegistration n2 = new NodeRegistration("n2", "10.0.0.2", Map.of("amqp", 5672, "kafka", 9092, "http", 15672), "1.2.3");

        assertThat(((MetadataCommandCodec.NodeRegistered) MetadataCommandCodec.decode(MetadataCommandCodec.encode(n2)))
                .registration()).isEqualTo(n2);
    }

    @Test
    void shouldKeepAnExclusiveQueueOnItsOwnNode() {
        TopologyCommand exclusive = new TopologyCommand.DeclareQueue(
                new QueueDefinition("amq.gen-1", false, true, true, Map.of()), new Object());

        assertThatThrownBy(() -> MetadataCommandCodec.encode("/", exclusive))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared there only");
        TopologyCommand ownerless = new TopologyCommand.DeclareQueue(
                new QueueDefinition("amq.gen-2", false, true, true, Map.of()), null);
        assertThatThrownBy(() -> MetadataCommandCodec.encode("/", ownerless)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseWhatIsNotACommandItKnows() {
        Map<String, Object> unknown = new LinkedHashMap<>();
        unknown.put("vhost", "/");
        unknown.put("command", "declare-wormhole");
        Map<String, Object> broken = new LinkedHashMap<>();
        broken.put("vhost", "/");
        broken.put("command", "add-partitions");
        broken.put("name", "events");

        assertThatThrownBy(() -> MetadataCommandCodec.decode(FieldTables.encode(unknown)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("declare-wormhole");
        Map<String, Object> nameless = new LinkedHashMap<>();
        nameless.put("command", "create-vhost");
        assertThatThrownBy(() -> MetadataCommandCodec.decode(FieldTables.encode(nameless)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("has no name");
        assertThatThrownBy(() -> MetadataCommandCodec.decode(FieldTables.encode(broken)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("add-partitions");
        assertThatThrownBy(() -> MetadataCommandCodec.decode(FieldTables.encode(Map.of("command", "bind"))))
                .isInstanceOf(MalformedDataException.class);
        assertThatThrownBy(() -> MetadataCommandCodec.decode(FieldTables.encode(Map.of("vhost", "/", "command", 7))))
                .isInstanceOf(MalformedDataException.class);
    }

    @Test
    void shouldDecodeTheVirtualHostCommandsItEncodes() {
        for (VirtualHosts.Command c : List.of(new VirtualHosts.Create("tenant-a"), new VirtualHosts.Delete("tenant-a"))) {
            assertThat(MetadataCommandCodec.decode(MetadataCommandCodec.encode(c)))
                    .isEqualTo(new MetadataCommandCodec.VhostChange(c));
        }
    }
}
