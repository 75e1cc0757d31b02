package io.wharf.core.group;

import java.util.List;

/**
 * The answer to a join: the generation the member is in and, for the leader of a new
 * generation, every member with what it offered for the chosen protocol.
 */
public record JoinResult(GroupError error, int generation, String protocolType, String protocol, String leader,
                         String memberId, List<JoinedMember> members) {

    public JoinResult {
        members = List.copyOf(members);
    }

    /** A member as the leader sees it when it computes the assignment. */
    public record JoinedMember(String memberId, String instanceId, byte[] metadata) {
    }

    static JoinResult refused(GroupError error, String memberId) {
        return new JoinResult(error, -1, null, null, "", memberId, List.of());
    }
}
