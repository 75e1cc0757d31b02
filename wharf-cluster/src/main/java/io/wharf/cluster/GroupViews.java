package io.wharf.cluster;

import io.wharf.core.cluster.GroupStatus;
import io.wharf.core.cluster.PartitionPlacement;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one node's Raft server tells of its groups: each group's state for status pages and
 * metrics, and where each data group (and so each partition placed on it) is led.
 *
 * <p>Thread-safe: reads Ratis' own state, from any thread.
 */
final class GroupViews {

    private static final Logger LOG = LoggerFactory.getLogger(GroupViews.class);

    // A follower the leader heard from within two election timeouts keeps up with it: Kafka clients see it in the ISR.
    private static final long IN_SYNC_CONTACT_MS = 2 * 1_000;

    private final String self;
    private final RaftServer server;
    private final DataGroups dataGroups;
    // The state machines of the data groups this node is a member of, as Ratis asks for them.
    private final Map<RaftGroupId, CommandStateMachine> dataMachines;
    private final List<GroupProposer> dataProposers;

    GroupViews(String self, RaftServer server, DataGroups dataGroups, Map<RaftGroupId, CommandStateMachine> dataMachines,
               List<GroupProposer> dataProposers) {
        this.self = self;
        this.server = server;
        this.dataGroups = dataGroups;
        this.dataMachines = dataMachines;
        this.dataProposers = dataProposers;
    }

    /** A group as this node sees it, with the replicas as {@code leaderRole} (null for none) and {@code commitInfos} report them. */
    GroupStatus groupStatus(String name, DivisionInfo info, RoleInfoProto leaderRole, Collection<CommitInfoProto> commitInfos,
                                    CommandStateMachine machine) {
        Map<String, Long> committed = new HashMap<>();
        for (CommitInfoProto c : commitInfos) {
            committed.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        }
        long commitIndex = info.isLeader() || leaderRole == null ? committed.getOrDefault(self, 0L)
                : committed.values().stream().mapToLong(Long::longValue).max().orElse(0L);
        List<GroupStatus.Replica> replicas = new ArrayList<>();
        if (leaderRole != null) {
            for (ServerRpcProto follower : leaderRole.getLeaderInfo().getFollowerInfoList()) {
                String id = follower.getId().getId().toStringUtf8();
                long theirs = committed.getOrDefault(id, 0L);
                replicas.add(new GroupStatus.Replica(id, theirs, Math.max(0, commitIndex - theirs),
                        follower.getLastRpcElapsedTimeMs()));
            }
        }
        return new GroupStatus(name, self, info.getCurrentRole().name(),
                Optional.ofNullable(info.getLeaderId()).map(RaftPeerId::toString), info.getCurrentTerm(),
                committed.getOrDefault(self, 0L), machine.appliedIndex(), machine.leaderChanges(), replicas);
    }

    /** The data groups this node is a member of, as it sees them, the replicas as each group's leader reports them when it is that leader. */
    List<GroupStatus> dataStatus() {
        List<GroupStatus> out = new ArrayList<>();
        for (int i = 0; i < dataGroups.count(); i++) {
            RaftGroupId id = dataGroups.group(i).getGroupId();
            CommandStateMachine machine = dataMachines.get(id);
            if (machine == null) {
                continue;
            }
            try {
                RaftServer.Division division = server.getDivision(id);
                DivisionInfo info = division.getInfo();
                RoleInfoProto role = info.getRoleInfoProto();
                out.add(groupStatus(DataGroups.name(i), info, info.isLeader() && role.hasLeaderInfo() ? role : null,
                        division.getCommitInfos(), machine));
            } catch (IOException e) {
                LOG.debug("data group {} is not open on {}", id, self, e);
            }
        }
        return out;
    }

    boolean leads(String placementKey) {
        if (dataGroups.count() == 0) {
            return true;
        }
        try {
            return server.getDivision(dataGroups.group(dataGroups.indexOf(placementKey)).getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    PartitionPlacement placement(String placementKey) {
        if (dataGroups.count() == 0) {
            return new PartitionPlacement("metadata", List.of(self), Optional.of(self), 0, List.of(self));
        }
        int index = dataGroups.indexOf(placementKey);
        RaftGroup g = dataGroups.group(index);
        List<String> replicas = g.getPeers().stream().map(p -> p.getId().toString()).toList();
        try {
            DivisionInfo info = server.getDivision(g.getGroupId()).getInfo();
            Optional<String> leader = Optional.ofNullable(info.getLeaderId()).map(RaftPeerId::toString);
            RoleInfoProto role = info.getRoleInfoProto();
            List<String> inSync = replicas;
            if (info.isLeader() && role.hasLeaderInfo()) {
                inSync = new ArrayList<>(List.of(self));
                for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                    if (follower.getLastRpcElapsedTimeMs() <= IN_SYNC_CONTACT_MS) {
                        inSync.add(follower.getId().getId().toStringUtf8());
                    }
                }
            }
            return new PartitionPlacement(DataGroups.name(index), replicas, leader, info.getCurrentTerm(), inSync);
        } catch (IOException e) {
            // Not a member of the group: the member its client last found leading, if any.
            Optional<String> leader = Optional.ofNullable(dataProposers.get(index).leaderGuess());
            return new PartitionPlacement(DataGroups.name(index), replicas, leader, 0, replicas);
        }
    }

}
