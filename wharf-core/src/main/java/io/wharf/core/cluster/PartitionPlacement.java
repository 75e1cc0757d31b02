package io.wharf.core.cluster;

import java.util.List;
import java.util.Optional;

/**
 * Where a stream partition is replicated, as one node sees it now: what Kafka clients are told in
 * Metadata. Immutable.
 *
 * @param group    the data group the partition is placed on
 * @param replicas the group's members, by node id
 * @param leader   the member that leads the group; empty during an election
 * @param term     the group's Raft term: the partition's leader epoch
 * @param inSync   the members that have everything the group committed, or nearly: the leader
 *                 and the followers it heard from lately
 */
public record PartitionPlacement(String group, List<String> replicas, Optional<String> leader, long term, List<String> inSync) {

    public PartitionPlacement {
        replicas = List.copyOf(replicas);
        inSync = List.copyOf(inSync);
    }
}
