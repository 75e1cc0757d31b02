package io.wharf.core.vhost;

import io.wharf.core.Broker;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.ClusterStatus;
import io.wharf.core.cluster.PartitionPlacement;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A log of metadata commands and one of partition commands that several brokers apply, standing
 * in for a cluster's metadata group and one data group: what any of them proposes is applied on
 * all, in the log's order. A metadata command can be slipped in ahead of the next proposal, as
 * another node's would be. Synchronized: the brokers' threads propose.
 */
final class SharedClusterLog implements Cluster {

    final List<MetadataApplier> appliers = new ArrayList<>();
    final List<PartitionApplier> partitionAppliers = new ArrayList<>();
    final List<byte[]> overtaking = new ArrayList<>();
    // Every partition command proposed, in order, for a replica to be given again.
    final List<byte[]> partitionLog = new ArrayList<>();
    private long index;

    /** Has {@code brokers} apply both logs and propose to them. */
    void join(Broker... brokers) {
        for (Broker b : brokers) {
            appliers.add(b.metadataApplier());
            partitionAppliers.add(b.partitionApplier("data-0", i -> CompletableFuture.completedFuture(null)));
            b.joinCluster(this);
        }
    }

    @Override
    public String nodeId() {
        return "a";
    }

    @Override
    public synchronized CompletableFuture<Void> proposeMetadata(byte[] command) {
        overtaking.forEach(this::append);
        overtaking.clear();
        return append(command);
    }

    /** Completes once every broker has applied it, so that the test may look at any. */
    private CompletableFuture<Void> append(byte[] command) {
        index++;
        return CompletableFuture.allOf(appliers.stream().map(a -> a.apply(index, command)).toArray(CompletableFuture[]::new));
    }

    @Override
    public synchronized long metadataAppliedIndex() {
        return index;
    }

    @Override
    public CompletableFuture<Void> metadataApplied(long index) {
        return CompletableFuture.completedFuture(null);
    }

    /** Completes with the first broker's answer once every broker has it. */
    @Override
    public synchronized CompletableFuture<byte[]> proposeToPartition(String placementKey, byte[] command) {
        partitionLog.add(command);
        long at = partitionLog.size();
        List<CompletableFuture<byte[]>> answers = partitionAppliers.stream().map(a -> a.apply(at, command)).toList();
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> answers.get(0).join());
    }

    @Override
    public PartitionPlacement placement(String placementKey) {
        return new PartitionPlacement("data-0", List.of("a"), Optional.of("a"), 1, List.of("a"));
    }

    @Override
    public ClusterStatus status() {
        return new ClusterStatus("a", List.of(), List.of());
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
    }
}
