package io.wharf.core.vhost;

import io.wharf.core.auth.UserCommands;
import io.wharf.core.auth.UserStore;
import io.wharf.core.cluster.ClusterNodes;
import io.wharf.core.cluster.NodeRegistration;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.MalformedDataException;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.wharf.core.vhost.DefinitionTables.integer;
import static io.wharf.core.vhost.DefinitionTables.str;
import static io.wharf.core.vhost.DefinitionTables.strings;
import static io.wharf.core.vhost.DefinitionTables.table;

/**
 * Changes to definitions as bytes, for a log that other nodes apply: {@link TopologyCommand}s
 * with the virtual host they change, {@link VirtualHosts.Command}s, changes to the users
 * ({@link UserCommands} encodes those) and nodes' registrations. Each is a field table
 * naming the command and its fields, with definitions in the form the metadata store keeps them,
 * so that fields can be added without breaking what was written before. Stateless.
 */
public final class MetadataCommandCodec {

    /** A command read back. */
    public sealed interface Decoded {
    }

    /** A change to a virtual host's topology. */
    public record TopologyChange(String vhost, TopologyCommand command) implements Decoded {
    }

    /** A change to the set of virtual hosts. */
    public record VhostChange(VirtualHosts.Command command) implements Decoded {
    }

    /** A change to the users. */
    public record UserChange(UserStore.Command command) implements Decoded {
    }

    /** A node of the cluster saying where it serves clients. */
    public record NodeRegistered(NodeRegistration registration) implements Decoded {
    }

    private MetadataCommandCodec() {
    }

    public static byte[] encode(VirtualHosts.Command command) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (command) {
            case VirtualHosts.Create c -> named(m, "create-vhost").put("name", c.name());
            case VirtualHosts.Delete c -> named(m, "delete-vhost").put("name", c.name());
        }
        return FieldTables.encode(m);
    }

    /**
     * @throws IllegalArgumentException for the declaration of an exclusive queue, which belongs to
     *                                  one connection on one node and is declared there only
     */
    public static byte[] encode(String vhost, TopologyCommand command) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", vhost);
        switch (command) {
            case TopologyCommand.DeclareExchange c -> named(m, "declare-exchange").put("exchange", DefinitionTables.of(c.definition()));
            case TopologyCommand.DeleteExchange c -> named(m, "delete-exchange").put("name", c.name());
            case TopologyCommand.Bind c -> named(m, "bind").put("binding", DefinitionTables.of(c.binding()));
            case TopologyCommand.Unbind c -> named(m, "unbind").put("binding", DefinitionTables.of(c.binding()));
            case TopologyCommand.DeclareQueue c -> {
                if (c.exclusiveOwner() != null || c.definition().exclusive()) {
                    throw new IllegalArgumentException("exclusive queue '" + c.definition().name()
                            + "' belongs to a connection of one node: it is declared there only");
                }
                named(m, "declare-queue").put("queue", DefinitionTables.of(c.definition()));
            }
            case TopologyCommand.DeleteQueue c -> named(m, "delete-queue").put("name", c.name());
            case TopologyCommand.CreateStream c -> named(m, "create-stream").put("stream", DefinitionTables.of(c.definition()));
            case TopologyCommand.AddPartitions c -> {
                named(m, "add-partitions").put("name", c.stream());
                m.put("count", c.count());
            }
            case TopologyCommand.ReconfigureStream c -> {
                named(m, "reconfigure-stream").put("name", c.stream());
                m.put("configs", new LinkedHashMap<String, Object>(c.configs()));
            }
            case TopologyCommand.DeleteStream c -> named(m, "delete-stream").put("name", c.name());
        }
        return FieldTables.encode(m);
    }

    public static byte[] encode(UserStore.Command command) {
        return UserCommands.encode(command);
    }

    public static byte[] encode(NodeRegistration registration) {
        Map<String, Object> m = new LinkedHashMap<>();
        named(m, "register-node").put("node", ClusterNodes.encode(registration));
        return FieldTables.encode(m);
    }

    private static Map<String, Object> named(Map<String, Object> m, String command) {
        m.put("command", command);
        return m;
    }

    /** @throws MalformedDataException if {@code bytes} are not a command this version knows */
    public static Decoded decode(byte[] bytes) {
        Map<String, Object> m = DefinitionTables.decode(bytes);
        String command = null;
        try {
            command = str(m, "command");
            if (command == null) {
                throw new MalformedDataException("a metadata command names its command; got " + m.keySet());
            }
            switch (command) {
                case "create-vhost" -> {
                    return new VhostChange(new VirtualHosts.Create(required(m, "name")));
                }
                case "delete-vhost" -> {
                    return new VhostChange(new VirtualHosts.Delete(required(m, "name")));
                }
                case "register-node" -> {
                    return new NodeRegistered(ClusterNodes.decode(table(m, "node")));
                }
                default -> {
                    if (UserCommands.names(command)) {
                        return new UserChange(UserCommands.decode(m));
                    }
                }
            }
            String vhost = required(m, "vhost");
            TopologyCommand c = switch (command) {
                case "declare-exchange" -> new TopologyCommand.DeclareExchange(DefinitionTables.exchange(table(m, "exchange")));
                case "delete-exchange" -> new TopologyCommand.DeleteExchange(str(m, "name"));
                case "bind" -> new TopologyCommand.Bind(DefinitionTables.binding(table(m, "binding")));
                case "unbind" -> new TopologyCommand.Unbind(DefinitionTables.binding(table(m, "binding")));
                case "declare-queue" -> new TopologyCommand.DeclareQueue(DefinitionTables.queue(table(m, "queue")), null);
                case "delete-queue" -> new TopologyCommand.DeleteQueue(str(m, "name"));
                case "create-stream" -> new TopologyCommand.CreateStream(DefinitionTables.stream(table(m, "stream"), () -> {
                    throw new MalformedDataException("a stream in a command has its id");
                }));
                case "add-partitions" -> new TopologyCommand.AddPartitions(str(m, "name"), integer(m, "count"));
                case "reconfigure-stream" -> new TopologyCommand.ReconfigureStream(str(m, "name"), strings(m, "configs"));
                case "delete-stream" -> new TopologyCommand.DeleteStream(str(m, "name"));
                default -> throw new MalformedDataException("unknown metadata command '" + command + "'");
            };
            return new TopologyChange(vhost, c);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new MalformedDataException("metadata command '" + command + "' is malformed: " + e.getMessage());
        }
    }

    private static String required(Map<String, Object> m, String key) {
        String v = str(m, key);
        if (v == null) {
            throw new MalformedDataException("metadata command '" + str(m, "command") + "' has no " + key);
        }
        return v;
    }
}
