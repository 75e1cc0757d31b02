package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.auth.Client;
import io.wharf.core.auth.Permission.Access;
import io.wharf.core.concurrent.Sequencer;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.stream.StreamPartition;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Changes to a virtual host's streams: create, grow, reconfigure, delete, and delete records
 * below an offset. Each change is decided here (the asker's permission, that the stream exists
 * or does not, that it only grows, that its settings are valid) and made by applying a
 * {@link TopologyCommand} to the topology.
 *
 * <p>Threading: callable from any thread; the changes run one at a time, in turn with every
 * other change to the virtual host's definitions, on its admin {@link Sequencer}, and answer
 * with futures that complete once the new definitions are durable.
 */
public final class StreamAdmin {

    private final String vhost;
    private final Topology topology;
    private final Sequencer admin;
    private final TopologyChanges changes;

    StreamAdmin(String vhost, Topology topology, Sequencer admin, TopologyChanges changes) {
        this.vhost = vhost;
        this.topology = topology;
        this.admin = admin;
        this.changes = changes;
    }

    /**
     * Creates a stream and persists its definition; completes with the stream once the
     * definition is durable.
     *
     * @throws BrokerException PRECONDITION_FAILED (as a failed future) if a stream of that name exists
     */
    public CompletableFuture<Stream> create(StreamDefinition d, Client client) {
        return admin.submit(() -> {
            client.check(vhost, Access.CONFIGURE, "stream", d.name());
            if (topology.streams.containsKey(d.name())) {
                throw BrokerException.preconditionFailed("stream '" + d.name() + "' in vhost '" + vhost + "' already exists");
            }
            return changes.change(new TopologyCommand.CreateStream(d)).thenApply(v -> topology.streams.get(d.name()));
        });
    }

    /** Grows a stream to {@code count} partitions; completes once the new definition is durable. */
    public CompletableFuture<Void> addPartitions(String stream, int count, Client client) {
        return admin.submit(() -> {
            Stream s = existing(stream, client);
            if (count <= s.partitionCount()) {
                throw BrokerException.preconditionFailed("stream '" + stream + "' has " + s.partitionCount()
                        + " partitions; it can only grow, not to " + count);
            }
            return changes.change(new TopologyCommand.AddPartitions(stream, count));
        });
    }

    /** Replaces a stream's own settings; completes once the new definition is durable. */
    public CompletableFuture<Void> reconfigure(String stream, Map<String, String> configs, Client client) {
        return admin.submit(() -> {
            existing(stream, client).checkConfigs(configs);
            return changes.change(new TopologyCommand.ReconfigureStream(stream, configs));
        });
    }

    /**
     * Makes every record of one partition of a stream below {@code offset} unreadable, deleting
     * the segments that hold only such records (Kafka's DeleteRecords), in turn with the other
     * changes to this virtual host's streams; completes with the partition's start offset after.
     *
     * @throws BrokerException NOT_FOUND (as a failed future) if there is no such partition
     */
    public CompletableFuture<Long> deleteRecords(String stream, int partition, long offset, Client client) {
        return admin.submit(() -> {
            client.check(vhost, Access.CONFIGURE, "stream", stream);
            Stream s = topology.streams.get(stream);
            StreamPartition p = s == null ? null : s.partition(partition);
            if (p == null) {
                throw BrokerException.notFound("no partition " + partition + " of stream '" + stream + "' in vhost '" + vhost + "'");
            }
            return p.deleteRecordsBefore(offset);
        });
    }

    /** Deletes a stream and its data. */
    public CompletableFuture<Void> delete(String stream, Client client) {
        return admin.submit(() -> {
            existing(stream, client);
            return changes.change(new TopologyCommand.DeleteStream(stream));
        });
    }

    /** The stream, once the client may configure it; on the admin sequencer. */
    private Stream existing(String stream, Client client) {
        client.check(vhost, Access.CONFIGURE, "stream", stream);
        Stream s = topology.streams.get(stream);
        if (s == null) {
            throw BrokerException.notFound("no stream '" + stream + "' in vhost '" + vhost + "'");
        }
        return s;
    }
}
