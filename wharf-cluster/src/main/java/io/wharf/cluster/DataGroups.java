package io.wharf.cluster;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The data groups of a cluster: how many, on which members, and which group a stream partition is
 * placed on. Every node computes the same layout from the same member list, so no node has to be
 * told it: group {@code i} is on {@code replicationFactor} members, the members in id order
 * starting at the {@code i}-th. Which member leads a group is up to its elections. A partition is
 * placed by a hash of its placement key.
 * Immutable.
 */
final class DataGroups {

    private final List<RaftGroup> groups;

    private DataGroups(List<RaftGroup> groups) {
        this.groups = List.copyOf(groups);
    }

    /**
     * @param members           every member of the cluster as it started
     * @param count             how many data groups; 0 for none
     * @param replicationFactor how many members each group is on, at most the member count
     */
    static DataGroups layout(List<ClusterMember> members, int count, int replicationFactor) {
        List<ClusterMember> byId = members.stream().sorted(Comparator.comparing(ClusterMember::id)).toList();
        int rf = Math.min(replicationFactor, byId.size());
        List<RaftGroup> groups = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<RaftPeer> peers = new ArrayList<>();
            for (int j = 0; j < rf; j++) {
                ClusterMember m = byId.get((i + j) % byId.size());
                // All of one priority: with a higher-priority member down, Ratis makes the others wait for
                // its vote until an election times out, which made failovers take seconds.
                peers.add(RaftPeer.newBuilder().setId(RaftPeerId.valueOf(m.id())).setAddress(m.address()).build());
            }
            groups.add(RaftGroup.valueOf(id(i), peers));
        }
        return new DataGroups(groups);
    }

    static RaftGroupId id(int index) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("wharf-data-" + index).getBytes(StandardCharsets.UTF_8)));
    }

    static String name(int index) {
        return "data-" + index;
    }

    List<RaftGroup> all() {
        return groups;
    }

    int count() {
        return groups.size();
    }

    /** The index of the group a partition with {@code placementKey} is placed on. */
    int indexOf(String placementKey) {
        return Math.floorMod(placementKey.hashCode(), groups.size());
    }

    RaftGroup group(int index) {
        return groups.get(index);
    }

    /** The index of a data group by its id; -1 if it is none of them. */
    int indexOf(RaftGroupId id) {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).getGroupId().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
