package io.wharf.core.group;

import java.util.List;

/**
 * A consumer group as its coordinator last published it: immutable, read from any thread.
 *
 * @param protocolType the members' protocol type ({@code consumer} for Kafka consumers), null before any joined
 * @param protocol     the assignment protocol chosen for the current generation, null when there is none
 */
public record GroupView(String id, GroupState state, String protocolType, String protocol, int generation,
                        List<Member> members) {

    public GroupView {
        members = List.copyOf(members);
    }

    /**
     * A member as the group's last command left it.
     *
     * @param metadata   what the member offered for the chosen protocol
     * @param assignment what the group's leader assigned it, empty until the leader has
     */
    public record Member(String memberId, String instanceId, String clientId, String clientHost, byte[] metadata,
                         byte[] assignment) {
    }
}
