package io.wharf.core.stream;

import io.wharf.core.BrokerException;
import io.wharf.core.cluster.Cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Where the broker's stream partitions and consumer group offsets make their changes: on this node alone, or, once the
 * broker joins a cluster, through the Raft group that replicates each partition, whose every
 * member then applies them in the same order.
 *
 * <p>Thread-safe: the cluster is set once, before clients connect; changes are submitted from any thread.
 */
public final class StreamReplication {

    private volatile Cluster cluster;

    /** From now on, partitions change through {@code cluster}. */
    public void replicateThrough(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Whether changes go through a cluster. */
    public boolean replicated() {
        return cluster != null;
    }

    /** Makes a change to a group's offsets on every member of the group's data group, once a majority has it. */
    CompletableFuture<Void> submit(GroupOffsets.Change change) {
        Cluster c = cluster;
        byte[] encoded = PartitionCommandCodec.encode(c.metadataAppliedIndex(), change);
        return c.proposeToPartition(GroupOffsets.placementKey(change.vhost(), change.group()), encoded)
                .exceptionally(StreamReplication::notAgreed)
                .thenAccept(PartitionCommandCodec::checkDone);
    }

    /**
     * Makes {@code command} on {@code partition}: here, or on every replica once a majority of
     * them has it on disk. Completes with what applying it answered on the group's leader (see
     * {@link StreamPartition#apply}).
     */
    CompletableFuture<Object> submit(StreamPartition partition, PartitionCommand command) {
        Cluster c = cluster;
        if (c == null) {
            return partition.apply(command);
        }
        byte[] encoded = PartitionCommandCodec.encode(c.metadataAppliedIndex(), partition.address(), command);
        return c.proposeToPartition(partition.address().placementKey(), encoded)
                .exceptionally(StreamReplication::notAgreed)
                .thenApply(result -> PartitionCommandCodec.decodeResult(command, result));
    }

    /** A proposal no majority took in time, as the error callers turn into their protocol's "try again". */
    private static byte[] notAgreed(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        throw new BrokerException(BrokerException.Kind.RESOURCE_ERROR, "not written: no majority of the partition's replicas"
                + " took it in time (" + cause.getMessage() + ")", cause);
    }
}
