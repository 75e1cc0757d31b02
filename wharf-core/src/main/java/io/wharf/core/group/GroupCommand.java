package io.wharf.core.group;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change to the consumer groups of a virtual host. The coordinator decides everything that
 * depends on time or chance before it makes a command (a new member's id, the time a request
 * arrived, which members missed their session timeout, that a join round ran out of time) and
 * records it here, so applying the same commands in the same order gives the same groups.
 *
 * <p>Every command carries {@code at}, the coordinator's clock when it was made, in milliseconds.
 */
public sealed interface GroupCommand {

    String groupId();

    long at();

    /** A protocol a joining member can use, and its metadata for it (opaque to the coordinator). */
    record Protocol(String name, byte[] metadata) {
    }

    /** A member asks to join, or to join again. */
    record Join(JoinRequest request, String newMemberId, long at) implements GroupCommand {
        @Override
        public String groupId() {
            return request.groupId();
        }
    }

    /**
     * What a member sends to join.
     *
     * @param memberId             empty for a member that has none yet
     * @param instanceId           the static membership id, or null
     * @param knownMemberIdRequired whether a new dynamic member must first learn its id and join
     *                             again with it (Kafka's JoinGroup since version 4)
     */
    record JoinRequest(String groupId, String memberId, String instanceId, String clientId, String clientHost,
                       String protocolType, List<Protocol> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs,
                       boolean knownMemberIdRequired) {
        public JoinRequest {
            protocols = List.copyOf(protocols);
        }
    }

    /** A member of the new generation waits for its assignment; the leader brings everyone's. */
    record Sync(String groupId, String memberId, int generation, String instanceId, Map<String, byte[]> assignments,
                long at) implements GroupCommand {
        public Sync {
            assignments = new LinkedHashMap<>(assignments);
        }
    }

    /** A member says it is alive. */
    record Heartbeat(String groupId, String memberId, int generation, String instanceId, long at) implements GroupCommand {
    }

    /** Members leave: each by member id, or by static instance id when the member id is empty. */
    record Leave(String groupId, List<MemberRef> members, long at) implements GroupCommand {
        public Leave {
            members = List.copyOf(members);
        }
    }

    /** A member named by its id or by its static instance id. */
    record MemberRef(String memberId, String instanceId) {
    }

    /** Members the coordinator found past their session timeout are removed. */
    record ExpireMembers(String groupId, List<String> memberIds, long at) implements GroupCommand {
        public ExpireMembers {
            memberIds = List.copyOf(memberIds);
        }
    }

    /** A join round ran out of its rebalance timeout: members that did not join again are out. */
    record EndJoinRound(String groupId, int generation, long at) implements GroupCommand {
    }

    /** An empty group's membership record is deleted. */
    record Delete(String groupId, long at) implements GroupCommand {
    }
}
