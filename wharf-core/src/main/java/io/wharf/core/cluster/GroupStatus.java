package io.wharf.core.cluster;

import java.util.List;
import java.util.Optional;

/**
 * One Raft group as one node sees it, for status pages and metrics. Immutable.
 *
 * @param group        the group's name ({@code metadata})
 * @param node         the node that reports it
 * @param role         its role in the group: {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}
 * @param leader       the member it knows as leader; empty during an election
 * @param term         the Raft term it is in
 * @param commitIndex  the last log index it knows to be on a majority
 * @param appliedIndex the last log index it has applied
 * @param leaderChanges how many times {@code node} has seen the leader change since it started
 * @param replicas     the other members as the leader sees them; empty unless {@code node} leads
 */
public record GroupStatus(String group, String node, String role, Optional<String> leader, long term,
                          long commitIndex, long appliedIndex, long leaderChanges, List<Replica> replicas) {

    public GroupStatus {
        replicas = List.copyOf(replicas);
    }

    /**
     * Another member of the group, as its leader sees it.
     *
     * @param id            the member
     * @param commitIndex   the last index it has reported committed
     * @param lag           how many committed entries it has not reported yet
     * @param lastContactMs milliseconds since the leader last heard from it; one that stays high is down or cut off
     */
    public record Replica(String id, long commitIndex, long lag, long lastContactMs) {
    }
}
