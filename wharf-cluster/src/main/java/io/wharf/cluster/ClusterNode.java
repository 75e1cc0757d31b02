package io.wharf.cluster;

import io.wharf.storage.concurrent.NamedThreadFactory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * This node's part of a cluster: one Raft server (Apache Ratis) hosting the metadata group, which
 * every member belongs to, and a client that proposes commands to the group's leader wherever it
 * is. A command is acknowledged once a majority of the members has it in its Raft log on disk;
 * every member then applies it through the group's {@link CommandApplier}.
 *
 * <p>Thread-safe: commands may be proposed from any thread. Nothing here blocks a caller; a
 * proposal's future completes on a Ratis thread.
 */
public final class ClusterNode implements AutoCloseable {

    /** Every cluster's metadata group has this id: the member list, not the id, tells clusters apart. */
    static final RaftGroupId METADATA_GROUP = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("wharf-metadata".getBytes(StandardCharsets.UTF_8)));

    // A proposal is retried on the leader a client finds (after a failover, say) for about
    // PROPOSAL_ATTEMPTS × (REQUEST_TIMEOUT + RETRY_SLEEP); then it fails as not acknowledged.
    private static final TimeDuration REQUEST_TIMEOUT = TimeDuration.valueOf(2, TimeUnit.SECONDS);
    private static final TimeDuration RETRY_SLEEP = TimeDuration.valueOf(200, TimeUnit.MILLISECONDS);
    private static final int PROPOSAL_ATTEMPTS = 10;
    // How long a committed command may take to be applied on this node before its proposer is told it was not.
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    private final ClusterMember self;
    private final RaftServer server;
    private final CommandStateMachine metadata;
    private final RaftClient client;
    // Proposers are answered here, not on the thread that applied their command, which they could block.
    private final ExecutorService replies;

    private ClusterNode(ClusterMember self, RaftServer server, CommandStateMachine metadata, RaftClient client) {
        this.self = self;
        this.server = server;
        this.metadata = metadata;
        this.client = client;
        this.replies = Executors.newSingleThreadExecutor(new NamedThreadFactory("cluster-replies-" + self.id(), true));
    }

    /**
     * Starts this node's Raft server, keeping its Raft logs under {@code raftDir}, and joins the
     * metadata group of {@code members}; the group elects a leader once a majority has started.
     *
     * @param self     this node, as {@code members} names it
     * @param members  every member, the same list on every node
     * @param metadata what the metadata group's commands do on this node
     * @throws IllegalArgumentException if {@code members} does not name {@code self} as it is, or names an id twice
     */
    public static ClusterNode start(ClusterMember self, List<ClusterMember> members, Path raftDir,
                                    CommandApplier metadata) throws IOException {
        RaftGroup group = RaftGroup.valueOf(METADATA_GROUP, peers(self, members));
        CommandStateMachine stateMachine = new CommandStateMachine(metadata);
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setHost(properties, self.host());
        GrpcConfigKeys.Server.setPort(properties, self.port());
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(self.id()))
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                // A storage directory that does not exist yet is formatted.
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            server.start();
            RaftProperties clientProperties = new RaftProperties();
            RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties, REQUEST_TIMEOUT);
            RaftClient client = RaftClient.newBuilder()
                    .setRaftGroup(group)
                    .setProperties(clientProperties)
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(PROPOSAL_ATTEMPTS, RETRY_SLEEP))
                    .build();
            return new ClusterNode(self, server, stateMachine, client);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static List<RaftPeer> peers(ClusterMember self, List<ClusterMember> members) {
        Set<String> ids = new HashSet<>();
        for (ClusterMember m : members) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("the member list names node '" + m.id() + "' twice: " + members);
            }
        }
        if (!members.contains(self)) {
            throw new IllegalArgumentException("the member list " + members + " does not name this node as " + self);
        }
        return members.stream()
                .map(m -> RaftPeer.newBuilder().setId(RaftPeerId.valueOf(m.id())).setAddress(m.address()).build())
                .toList();
    }

    public ClusterMember self() {
        return self;
    }

    /**
     * Proposes {@code command} to the metadata group. Completes with what applying it returned once
     * a majority has it and this node has applied it and everything before it, so that what the
     * caller does next on this node sees it; fails with {@link ClusterUnavailableException} if no
     * majority answered in time.
     */
    public CompletableFuture<byte[]> propose(byte[] command) {
        CompletableFuture<byte[]> applied = new CompletableFuture<>();
        client.async().send(Message.valueOf(ByteString.copyFrom(command))).whenComplete((reply, e) -> {
            if (e != null) {
                applied.completeExceptionally(unavailable(e));
            } else if (reply.getException() instanceof StateMachineException failed) {
                applied.completeExceptionally(new ClusterUnavailableException("applying the command failed: " + failed.getMessage(),
                        failed));
            } else if (!reply.isSuccess()) {
                applied.completeExceptionally(unavailable(reply.getException()));
            } else {
                byte[] result = reply.getMessage().getContent().toByteArray();
                // A copy: the future waited on may be shared with other proposers of the same index.
                metadata.whenApplied(reply.getLogIndex()).copy().orTimeout(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .whenCompleteAsync((v, late) -> {
                            if (late == null) {
                                applied.complete(result);
                            } else {
                                applied.completeExceptionally(new ClusterUnavailableException("command "
                                        + reply.getLogIndex() + " was committed but not applied on " + self.id() + " within "
                                        + APPLY_TIMEOUT.toSeconds() + " s", late));
                            }
                        }, replies)
                        // The node closed meanwhile.
                        .exceptionally(closed -> {
                            applied.completeExceptionally(new ClusterUnavailableException(self.id() + " is closing", closed));
                            return null;
                        });
            }
        });
        return applied;
    }

    private static ClusterUnavailableException unavailable(Throwable cause) {
        return new ClusterUnavailableException("the metadata group did not commit the command: no majority of its members"
                + " answered in time (" + cause + ")", cause);
    }

    /** The member the metadata group last knew as its leader; empty during an election. */
    public Optional<String> metadataLeader() {
        try {
            RaftPeerId leader = server.getDivision(METADATA_GROUP).getInfo().getLeaderId();
            return Optional.ofNullable(leader).map(RaftPeerId::toString);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The metadata group as this node sees it. */
    public GroupStatus metadataStatus() throws IOException {
        RaftServer.Division division = server.getDivision(METADATA_GROUP);
        DivisionInfo info = division.getInfo();
        Map<String, Long> committed = new HashMap<>();
        for (CommitInfoProto c : division.getCommitInfos()) {
            committed.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        }
        long commitIndex = committed.getOrDefault(self.id(), 0L);
        List<GroupStatus.Replica> replicas = new ArrayList<>();
        RoleInfoProto role = info.getRoleInfoProto();
        if (info.isLeader() && role.hasLeaderInfo()) {
            for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                String id = follower.getId().getId().toStringUtf8();
                long theirs = committed.getOrDefault(id, 0L);
                replicas.add(new GroupStatus.Replica(id, theirs, Math.max(0, commitIndex - theirs),
                        follower.getLastRpcElapsedTimeMs()));
            }
        }
        return new GroupStatus("metadata", self.id(), info.getCurrentRole().name(),
                Optional.ofNullable(info.getLeaderId()).map(RaftPeerId::toString), info.getCurrentTerm(), commitIndex,
                metadata.appliedIndex(), replicas);
    }

    /**
     * Stops proposing and leaves the group; the other members carry on if they are a majority.
     * Returns once the applies this node started have finished.
     */
    @Override
    public void close() throws IOException {
        try (RaftClient c = client) {
            server.close();
        } finally {
            replies.shutdown();
        }
    }

    @Override
    public String toString() {
        return "cluster node " + self;
    }
}
