package io.wharf.core.vhost;

import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.StreamDefinition;

import java.util.Map;

/**
 * One change to a virtual host's topology, as its owner applies it. Everything a change depends
 * on that is not in the topology itself is decided before the command is made and carried in it:
 * the asker's permissions are checked, equivalence with what exists is checked, a server-named
 * queue's name and a stream's id are drawn, a queue's expiry has fired. Applying the same
 * commands in the same order to the same topology therefore gives the same topology, which is
 * what a replicated log of them needs.
 *
 * <p>Applying a command that finds nothing to change (a binding that is there already, a queue
 * deleted meanwhile) changes nothing.
 */
public sealed interface TopologyCommand {

    record DeclareExchange(ExchangeDefinition definition) implements TopologyCommand {
    }

    /** Deletes the exchange, the bindings from and to it, and auto-delete exchanges left without bindings. */
    record DeleteExchange(String name) implements TopologyCommand {
    }

    record Bind(Binding binding) implements TopologyCommand {
    }

    /** Removes the binding, and its source if that is an auto-delete exchange left without bindings. */
    record Unbind(Binding binding) implements TopologyCommand {
    }

    /**
     * @param exclusiveOwner the connection an exclusive queue belongs to, or null. Exclusive
     *                       queues live and die with one connection of one node.
     */
    record DeclareQueue(QueueDefinition definition, Object exclusiveOwner) implements TopologyCommand {
    }

    /**
     * Forgets a queue its owner has deleted (its messages are gone already), with its bindings and
     * auto-delete exchanges left without bindings.
     */
    record DeleteQueue(String name) implements TopologyCommand {
    }

    record CreateStream(StreamDefinition definition) implements TopologyCommand {
    }

    record AddPartitions(String stream, int count) implements TopologyCommand {
    }

    /** Replaces a stream's own settings, checked before. */
    record ReconfigureStream(String stream, Map<String, String> configs) implements TopologyCommand {

        public ReconfigureStream {
            configs = Map.copyOf(configs);
        }
    }

    /** Deletes a stream, its data, its bindings and its consumer groups' offsets. */
    record DeleteStream(String name) implements TopologyCommand {
    }
}
