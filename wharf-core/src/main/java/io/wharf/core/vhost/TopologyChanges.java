package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.concurrent.Sequencer;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.queue.Queue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Where a virtual host's decided {@link TopologyCommand}s go. On a single node a command is
 * applied at once. On a node of a cluster, a command whose effect outlives a restart (a durable
 * exchange, queue or binding, a stream) is proposed to the cluster and applied on every node once
 * committed, this one included; the rest (exclusive and non-durable queues, non-durable exchanges,
 * bindings with such an end) belong to this node and are applied here only, as RabbitMQ keeps a
 * transient queue on the node that declared it.
 *
 * <p>Threading: {@link #change} is called by the virtual host's admin owner, which decides one
 * command at a time and waits for each. On a cluster the topology is then written by an apply lane
 * of its own, never by the admin owner: a decision waiting for its commit must not hold up the
 * apply of the very command it waits for.
 */
final class TopologyChanges {

    private final String vhost;
    private final Topology topology;
    private final Sequencer applyLane;
    private volatile Cluster cluster;

    TopologyChanges(String vhost, Topology topology, Executor adminPool) {
        this.vhost = vhost;
        this.topology = topology;
        this.applyLane = new Sequencer(adminPool);
    }

    /** From now on, commands that outlive a restart go through {@code cluster}. */
    void replicateThrough(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Makes a decided change; completes once this node has applied it. On the admin owner. */
    CompletableFuture<Void> change(TopologyCommand command) {
        Cluster c = cluster;
        if (c == null) {
            return topology.apply(command);
        }
        if (!replicated(command)) {
            return applyLane.submit(() -> topology.apply(command));
        }
        return c.proposeMetadata(MetadataCommandCodec.encode(vhost, command)).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof BrokerException ? cause
                    : new BrokerException(BrokerException.Kind.RESOURCE_ERROR, "the change to vhost '" + vhost
                    + "' was not agreed by the cluster: " + cause.getMessage(), cause));
        });
    }

    /**
     * Applies a command the cluster committed. A queue it deletes is emptied here first: only the
     * node that decided the deletion emptied its own copy.
     */
    CompletableFuture<Void> applyCommitted(TopologyCommand command) {
        return applyLane.submit(() -> {
            if (command instanceof TopologyCommand.DeleteQueue d && topology.queues.get(d.name()) instanceof Queue q) {
                return q.forceDelete().thenCompose(n -> topology.apply(command));
            }
            return topology.apply(command);
        });
    }

    /** Whether the command's effect survives a restart, so every node must make it. */
    private boolean replicated(TopologyCommand command) {
        return switch (command) {
            case TopologyCommand.DeclareExchange c -> c.definition().durable();
            case TopologyCommand.DeleteExchange c -> topology.exchanges.get(c.name()) instanceof Exchange e && e.definition().durable();
            case TopologyCommand.Bind c -> topology.durable(c.binding());
            case TopologyCommand.Unbind c -> topology.durable(c.binding());
            case TopologyCommand.DeclareQueue c -> c.definition().persistent();
            case TopologyCommand.DeleteQueue c -> topology.queues.get(c.name()) instanceof Queue q && q.definition().persistent();
            case TopologyCommand.CreateStream c -> true;
            case TopologyCommand.AddPartitions c -> true;
            case TopologyCommand.ReconfigureStream c -> true;
            case TopologyCommand.DeleteStream c -> true;
        };
    }
}
