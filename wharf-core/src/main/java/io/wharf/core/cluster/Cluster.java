package io.wharf.core.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * The cluster this broker is a node of, as the core sees it: where the commands that change
 * definitions go to be agreed on, and what the node knows of the cluster's state. The consensus
 * behind it is another module's; the core only proposes and applies.
 *
 * <p>Thread-safe: callable from any thread; nothing blocks the caller.
 */
public interface Cluster {

    /** This node's id among the members. */
    String nodeId();

    /**
     * Proposes a command that changes definitions (encoded by
     * {@link io.wharf.core.vhost.MetadataCommandCodec}). Completes once a majority of the nodes has
     * it and this node has applied it and every command before it, so that what the caller does
     * next here sees it; fails if no majority answered in time, in which case the command may or
     * may not be applied later.
     */
    CompletableFuture<Void> proposeMetadata(byte[] command);

    /** The last index of the metadata log up to which this node has applied every command. */
    long metadataAppliedIndex();

    /** Completes once this node has applied every metadata command up to {@code index}, on the thread that applied the last. */
    CompletableFuture<Void> metadataApplied(long index);

    /**
     * Proposes a command for a stream partition (encoded by
     * {@link io.wharf.core.stream.PartitionCommandCodec}) to the data group the partition is placed
     * on. Completes with the answer of the group's leader once a majority of the group has the
     * command on disk and the leader has applied it; fails if no majority answered in time, in
     * which case the command may or may not be applied later.
     *
     * @param placementKey what the partition is placed by ({@link io.wharf.core.stream.PartitionAddress#placementKey()})
     */
    CompletableFuture<byte[]> proposeToPartition(String placementKey, byte[] command);

    /** Where the partition with {@code placementKey} is replicated, as this node sees it now. */
    PartitionPlacement placement(String placementKey);

    /** Whether this node leads what is placed by {@code placementKey} now: cheaper than asking for its placement. */
    default boolean leads(String placementKey) {
        return placement(placementKey).leader().filter(nodeId()::equals).isPresent();
    }

    /**
     * Adds a member through a Raft membership change: the metadata group's leader brings it up to
     * date, then makes it a voter. The new node must be running, started with a member list that
     * names it. Completes once the change is agreed.
     *
     * @param member {@code id@host:port}, its Raft address
     * @return fails with a {@link io.wharf.core.BrokerException}: PRECONDITION_FAILED for a malformed
     *         member or one whose id or address is taken, RESOURCE_ERROR if the cluster did not agree
     */
    CompletableFuture<Void> addMember(String member);

    /**
     * Removes a member through a Raft membership change; the node itself should be stopped after.
     *
     * @return fails with a {@link io.wharf.core.BrokerException}: NOT_FOUND for an id that is no
     *         member, PRECONDITION_FAILED for the last member, RESOURCE_ERROR if the cluster did not agree
     */
    CompletableFuture<Void> removeMember(String id);

    /**
     * The members and every group as this node sees them now, without asking another node: only a
     * group's leader knows how far behind the others are and which are down.
     */
    ClusterStatus status();

    /**
     * The same, with the replicas and the members' states as the metadata group's leader reports
     * them when this node does not lead; blocks the caller for up to a request's timeout while it
     * asks. Falls back to {@link #status()} if the leader does not answer.
     */
    ClusterStatus statusFromLeader();

    /**
     * Tells {@code nanos} how long each proposal from this node took, from proposing it until a
     * majority had it and this node had applied it; on a thread of the cluster's, so it must not
     * block. One listener at a time.
     */
    void onProposal(LongConsumer nanos);
}
