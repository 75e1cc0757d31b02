package io.wharf.protocol.kafka;

import io.wharf.core.group.GroupCommand;
import io.wharf.core.group.GroupCoordinator;
import io.wharf.core.group.GroupError;
import io.wharf.core.group.GroupState;
import io.wharf.core.group.GroupView;
import io.wharf.core.group.JoinResult;
import io.wharf.core.group.SyncResult;
import io.wharf.core.stream.GroupOffsets;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Kafka's classic consumer group APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * DescribeGroups, ListGroups, DeleteGroups) over the virtual host's protocol-neutral
 * {@link GroupCoordinator}: this class only translates Kafka's requests into the coordinator's
 * and its answers into Kafka's responses and error codes.
 *
 * <p>Thread-safe: it keeps no state of its own.
 */
final class GroupApis {

    private final GroupCoordinator groups;
    private final GroupOffsets offsets;

    GroupApis(GroupCoordinator groups, GroupOffsets offsets) {
        this.groups = groups;
        this.offsets = offsets;
    }

    static Errors error(GroupError e) {
        return switch (e) {
            case NONE -> Errors.NONE;
            case UNKNOWN_MEMBER_ID -> Errors.UNKNOWN_MEMBER_ID;
            case ILLEGAL_GENERATION -> Errors.ILLEGAL_GENERATION;
            case FENCED_INSTANCE_ID -> Errors.FENCED_INSTANCE_ID;
            case REBALANCE_IN_PROGRESS -> Errors.REBALANCE_IN_PROGRESS;
            case INCONSISTENT_GROUP_PROTOCOL -> Errors.INCONSISTENT_GROUP_PROTOCOL;
            case MEMBER_ID_REQUIRED -> Errors.MEMBER_ID_REQUIRED;
            case COORDINATOR_NOT_AVAILABLE -> Errors.COORDINATOR_NOT_AVAILABLE;
        };
    }

    /** Whether a member may commit offsets for its group now, as a Kafka error code. */
    CompletableFuture<Errors> commitAllowed(String groupId, String memberId, int generation, String instanceId) {
        return groups.commitAllowed(groupId, memberId, generation, instanceId).thenApply(GroupApis::error);
    }

    CompletableFuture<ApiMessage> join(JoinGroupRequestData r, short version, String clientId, String clientHost) {
        List<GroupCommand.Protocol> protocols = new ArrayList<>(r.protocols().size());
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : r.protocols()) {
            protocols.add(new GroupCommand.Protocol(p.name(), p.metadata()));
        }
        // Since version 4 a new dynamic member first learns its id, then joins with it.
        GroupCommand.JoinRequest request = new GroupCommand.JoinRequest(r.groupId(), r.memberId(), r.groupInstanceId(),
                clientId, clientHost, r.protocolType(), protocols, r.sessionTimeoutMs(), r.rebalanceTimeoutMs(), version >= 4);
        // The response class settles what older versions cannot carry (a null protocol name).
        return groups.join(request).thenApply(j -> new JoinGroupResponse(joinResponse(j), version).data());
    }

    private static JoinGroupResponseData joinResponse(JoinResult j) {
        if (j.error() != GroupError.NONE) {
            return new JoinGroupResponseData().setErrorCode(error(j.error()).code()).setGenerationId(-1).setMemberId(j.memberId())
                    .setLeader("").setProtocolName(null);
        }
        JoinGroupResponseData out = new JoinGroupResponseData().setGenerationId(j.generation()).setProtocolType(j.protocolType())
                .setProtocolName(j.protocol()).setLeader(j.leader()).setMemberId(j.memberId()).setSkipAssignment(false);
        for (JoinResult.JoinedMember m : j.members()) {
            out.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                    .setGroupInstanceId(m.instanceId()).setMetadata(m.metadata()));
        }
        return out;
    }

    CompletableFuture<ApiMessage> sync(SyncGroupRequestData r) {
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : r.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        return groups.sync(r.groupId(), r.memberId(), r.generationId(), r.groupInstanceId(), assignments)
                .thenApply(GroupApis::syncResponse);
    }

    private static SyncGroupResponseData syncResponse(SyncResult s) {
        SyncGroupResponseData out = new SyncGroupResponseData().setErrorCode(error(s.error()).code()).setAssignment(s.assignment());
        return s.error() == GroupError.NONE ? out.setProtocolType(s.protocolType()).setProtocolName(s.protocol()) : out;
    }

    CompletableFuture<ApiMessage> heartbeat(HeartbeatRequestData r) {
        return groups.heartbeat(r.groupId(), r.memberId(), r.generationId(), r.groupInstanceId())
                .thenApply(e -> new HeartbeatResponseData().setErrorCode(error(e).code()));
    }

    CompletableFuture<ApiMessage> leave(LeaveGroupRequest r) {
        List<GroupCommand.MemberRef> leaving = new ArrayList<>();
        for (LeaveGroupRequestData.MemberIdentity m : r.members()) {
            leaving.add(new GroupCommand.MemberRef(m.memberId(), m.groupInstanceId()));
        }
        return groups.leave(r.data().groupId(), leaving).thenApply(results -> {
            LeaveGroupResponseData out = new LeaveGroupResponseData();
            if (r.version() < 3) {
                out.setErrorCode(error(results.values().iterator().next()).code());
            } else {
                for (GroupCommand.MemberRef m : leaving) {
                    out.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(m.memberId())
                            .setGroupInstanceId(m.instanceId()).setErrorCode(error(results.get(m)).code()));
                }
            }
            return out;
        });
    }

    ApiMessage describe(DescribeGroupsRequest r) {
        DescribeGroupsResponseData out = new DescribeGroupsResponseData();
        for (String id : r.data().groups()) {
            DescribeGroupsResponseData.DescribedGroup dg = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id);
            var found = groups.group(id);
            if (found.isEmpty()) {
                dg.setGroupState(offsets.groups().contains(id) ? GroupState.EMPTY.displayName() : GroupState.DEAD.displayName())
                        .setProtocolType("").setProtocolData("");
            } else {
                GroupView g = found.get();
                dg.setGroupState(g.state().displayName()).setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                        .setProtocolData(g.state() == GroupState.STABLE && g.protocol() != null ? g.protocol() : "");
                for (GroupView.Member m : g.members()) {
                    dg.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                            .setGroupInstanceId(m.instanceId()).setClientId(m.clientId()).setClientHost(m.clientHost())
                            .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment()));
                }
            }
            out.groups().add(dg);
        }
        return out;
    }

    /** Live groups, then groups known only by their committed offsets (shown as empty). */
    ApiMessage list() {
        ListGroupsResponseData out = new ListGroupsResponseData();
        Set<String> seen = new HashSet<>();
        for (GroupView g : groups.groups()) {
            out.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(g.id())
                    .setProtocolType(g.protocolType() == null ? "consumer" : g.protocolType()).setGroupState(g.state().displayName())
                    .setGroupType("classic"));
            seen.add(g.id());
        }
        for (String id : offsets.groups()) {
            if (seen.add(id)) {
                out.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(id).setProtocolType("consumer")
                        .setGroupState(GroupState.EMPTY.displayName()).setGroupType("classic"));
            }
        }
        return out;
    }

    /** Deletes empty groups with their committed offsets; a group with members is refused. */
    CompletableFuture<ApiMessage> delete(DeleteGroupsRequest r) {
        DeleteGroupsResponseData out = new DeleteGroupsResponseData();
        List<CompletableFuture<?>> deletes = new ArrayList<>();
        for (String id : r.data().groupsNames()) {
            DeleteGroupsResponseData.DeletableGroupResult result = new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id);
            out.results().add(result);
            if (groups.group(id).isEmpty() && !offsets.groups().contains(id)) {
                result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
                continue;
            }
            deletes.add(groups.deleteIfEmpty(id).thenCompose(deleted -> {
                if (!deleted) {
                    result.setErrorCode(Errors.NON_EMPTY_GROUP.code());
                    return CompletableFuture.completedFuture(null);
                }
                return offsets.delete(id);
            }));
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).thenApply(v -> out);
    }
}
