package io.wharf.core.cluster;

import java.util.List;

/**
 * A cluster as one node sees it, for the HTTP API, the command line and metrics. Immutable.
 *
 * @param node    the node that reports it
 * @param members every member of the metadata group now, by id
 * @param groups  the Raft groups this node is a member of
 */
public record ClusterStatus(String node, List<Member> members, List<GroupStatus> groups) {

    public ClusterStatus {
        members = List.copyOf(members);
        groups = List.copyOf(groups);
    }

    /** What a node knows of another's state. */
    public enum MemberState {
        /** The reporting node itself. */
        SELF,
        /** The metadata group's leader heard from it recently, or it is the leader this node follows. */
        UP,
        /** The metadata group's leader has not heard from it for longer than an election takes. */
        DOWN,
        /** Nobody could tell: the metadata group's leader did not answer, or the member is being added. */
        UNKNOWN
    }

    /**
     * One member.
     *
     * @param id      its node id
     * @param address its Raft address, {@code host:port}
     * @param state   whether it answers, as far as this node can tell
     */
    public record Member(String id, String address, MemberState state) {
    }
}
