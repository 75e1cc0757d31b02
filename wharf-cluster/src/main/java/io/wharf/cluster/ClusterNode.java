package io.wharf.cluster;

import io.wharf.core.cluster.CommandApplier;
import io.wharf.core.BrokerException;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.ClusterStatus;
import io.wharf.core.cluster.ClusterStatus.MemberState;
import io.wharf.core.cluster.GroupStatus;
import io.wharf.core.cluster.PartitionPlacement;
import io.wharf.storage.concurrent.NamedThreadFactory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.protocol.RaftClientReply;
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
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * This node's part of a cluster: one Raft server (Apache Ratis) hosting the metadata group, which
 * every member belongs to, and a client that proposes commands to the group's leader wherever it
 * is. A command is acknowledged once a majority of the members has it in its Raft log on disk;
 * every member then applies it through the group's {@link CommandApplier}.
 *
 * <p>Thread-safe: commands may be proposed from any thread. Nothing here blocks a caller; a
 * proposal's future completes on a Ratis thread.
 */
public final class ClusterNode implements Cluster, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** Every cluster's metadata group has this id: the member list, not the id, tells clusters apart. */
    static final RaftGroupId METADATA_GROUP = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("wharf-metadata".getBytes(StandardCharsets.UTF_8)));

    private static final TimeDuration ELECTION_TIMEOUT_MIN = TimeDuration.valueOf(500, TimeUnit.MILLISECONDS);
    private static final TimeDuration ELECTION_TIMEOUT_MAX = TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS);
    // How long a committed command may take to be applied on this node before its proposer is told it was not.
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    // A follower the leader has not heard from for this long is reported down: several election timeouts.
    private static final long DOWN_AFTER_MS = 5_000;

    private final ClusterMember self;
    // The members the node was started with: what status reports if the group cannot be asked.
    private final List<ClusterMember> members;
    private final RaftServer server;
    private final CommandStateMachine metadata;
    private final RaftGroup group;
    private volatile LongConsumer proposalTimes = nanos -> { };
    private final GroupProposer proposer;
    private final DataGroups dataGroups;
    // One per data group, whether this node is a member of it or not.
    private final List<GroupProposer> dataProposers;
    private final GroupViews views;
    // Asks the leader for its view of the members: one attempt, so a status page never waits on retries.
    private final RaftClient statusClient;
    // Proposers are answered here, not on the thread that applied their command, which they could block.
    private final ExecutorService replies;
    // Membership changes block a Ratis admin client until agreed; one at a time.
    private final ExecutorService membership;

    private ClusterNode(ClusterMember self, List<ClusterMember> members, RaftServer server, CommandStateMachine metadata,
                        RaftGroup group, DataGroups dataGroups, Map<RaftGroupId, CommandStateMachine> dataMachines) {
        this.self = self;
        this.members = List.copyOf(members);
        this.server = server;
        this.metadata = metadata;
        this.group = group;
        this.proposer = new GroupProposer(group);
        this.dataGroups = dataGroups;
        this.dataProposers = dataGroups.all().stream().map(GroupProposer::new).toList();
        this.views = new GroupViews(self.id(), server, dataGroups, dataMachines, dataProposers);
        this.statusClient = RaftClient.newBuilder().setRaftGroup(group).setProperties(GroupProposer.clientProperties())
                .setRetryPolicy(RetryPolicies.noRetry()).build();
        this.replies = Executors.newSingleThreadExecutor(new NamedThreadFactory("cluster-replies-" + self.id(), true));
        this.membership = Executors.newSingleThreadExecutor(new NamedThreadFactory("cluster-membership-" + self.id(), true));
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
        return start(self, members, raftDir, metadata, new DataGroupSettings(0, 0), (name, applied) -> {
            throw new IllegalStateException("no data groups");
        });
    }

    /** What applies one data group's commands on this node. */
    @FunctionalInterface
    public interface DataApplierFactory {

        /**
         * @param group           the group's name ({@code data-0}, ...)
         * @param metadataApplied completes once this node has applied the metadata log up to an index
         */
        CommandApplier applier(String group, LongFunction<CompletableFuture<Void>> metadataApplied);
    }

    /**
     * How many data groups the cluster has and on how many members each is.
     *
     * @param count             data groups; 0 for none
     * @param replicationFactor members each group is on; at most the member count is used
     */
    public record DataGroupSettings(int count, int replicationFactor) {
    }

    /**
     * Starts this node as {@link #start(ClusterMember, List, Path, CommandApplier)} does, and
     * joins the data groups {@code data} lays out on this node; each applies its commands
     * through the applier {@code appliers} makes for it.
     */
    public static ClusterNode start(ClusterMember self, List<ClusterMember> members, Path raftDir, CommandApplier metadata,
                                    DataGroupSettings data, DataApplierFactory appliers) throws IOException {
        RaftGroup group = RaftGroup.valueOf(METADATA_GROUP, peers(self, members));
        CommandStateMachine stateMachine = new CommandStateMachine(metadata);
        DataGroups dataGroups = DataGroups.layout(members, data.count(), data.replicationFactor());
        Map<RaftGroupId, CommandStateMachine> dataMachines = new ConcurrentHashMap<>();
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setHost(properties, self.host());
        GrpcConfigKeys.Server.setPort(properties, self.port());
        // Heartbeats go on the append stream, not a channel of their own. With their own channel, a
        // leader cut off and replaced kept exchanging heartbeats with the new leader after the
        // network healed, while the appends that would repair its log never arrived: it stayed
        // behind for minutes (Ratis 3.3.0; ClusterPartitionTest shows it).
        GrpcConfigKeys.Server.setHeartbeatChannel(properties, false);
        // Ratis' 150-300 ms election timeouts are shorter than the pauses a loaded node takes (a
        // collection, a starved core): with several groups per node, leaders were deposed again
        // and again, and a real failover waited behind that churn for seconds.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, ELECTION_TIMEOUT_MIN);
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, ELECTION_TIMEOUT_MAX);
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(self.id()))
                .setGroup(group)
                .setProperties(properties)
                .setStateMachineRegistry(id -> {
                    if (id.equals(METADATA_GROUP)) {
                        return stateMachine;
                    }
                    int index = dataGroups.indexOf(id);
                    if (index < 0) {
                        throw new IllegalStateException("no Raft group " + id + " belongs to this cluster");
                    }
                    return dataMachines.computeIfAbsent(id, i -> new CommandStateMachine(
                            batched(appliers.applier(DataGroups.name(index), stateMachine::whenApplied))));
                })
                // A storage directory that does not exist yet is formatted.
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            server.start();
            for (RaftGroup g : dataGroups.all()) {
                if (g.getPeer(RaftPeerId.valueOf(self.id())) != null) {
                    join(server, g);
                }
            }
            return new ClusterNode(self, members, server, stateMachine, group, dataGroups, dataMachines);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Has this node's Raft server host its part of {@code g}; a group it kept from before is there already. */
    private static void join(RaftServer server, RaftGroup g) throws IOException {
        for (RaftGroupId id : server.getGroupIds()) {
            if (id.equals(g.getGroupId())) {
                return;
            }
        }
        try {
            RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(), server.getId(),
                    CALL_IDS.incrementAndGet(), g));
            if (!reply.isSuccess()) {
                throw new IOException("joining Raft group " + g.getGroupId() + " failed", reply.getException());
            }
        } catch (AlreadyExistsException e) {
            // Loaded from its storage meanwhile.
        }
    }

    private static final AtomicLong CALL_IDS = new AtomicLong();

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
        long started = System.nanoTime();
        applied.thenRun(() -> proposalTimes.accept(System.nanoTime() - started));
        proposer.send(command).whenComplete((reply, e) -> answer(reply, e, applied));
        return applied;
    }

    private void answer(RaftClientReply reply, Throwable e, CompletableFuture<byte[]> applied) {
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
    }

    @Override
    public CompletableFuture<Void> proposeMetadata(byte[] command) {
        return propose(command).thenApply(result -> null);
    }

    private static ClusterUnavailableException unavailable(String group, Throwable cause) {
        return new ClusterUnavailableException("group " + group + " did not commit the command: no majority of its members"
                + " answered in time (" + cause + ")", cause);
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
        RoleInfoProto role = info.getRoleInfoProto();
        return metadataStatus(info, info.isLeader() && role.hasLeaderInfo() ? role : null, division.getCommitInfos());
    }

    /**
     * The metadata group as this node sees it, with the replicas as {@code leaderRole} (the
     * leader's role information, null for none) and {@code commitInfos} report them.
     */
    private GroupStatus metadataStatus(DivisionInfo info, RoleInfoProto leaderRole, Collection<CommitInfoProto> commitInfos) {
        return views.groupStatus("metadata", info, leaderRole, commitInfos, metadata);
    }

    @Override
    public String nodeId() {
        return self.id();
    }

    @Override
    public long metadataAppliedIndex() {
        return metadata.appliedIndex();
    }

    @Override
    public CompletableFuture<Void> metadataApplied(long index) {
        return metadata.whenApplied(index);
    }

    @Override
    public CompletableFuture<byte[]> proposeToPartition(String placementKey, byte[] command) {
        if (dataGroups.count() == 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("this cluster has no data groups"));
        }
        int index = dataGroups.indexOf(placementKey);
        CompletableFuture<byte[]> answered = new CompletableFuture<>();
        dataProposers.get(index).propose(command).whenComplete((answer, e) -> {
            if (e != null) {
                answered.completeExceptionally(unavailable(DataGroups.name(index), e));
            } else {
                answered.complete(answer);
            }
        });
        return answered;
    }

    /** What applies a data group's entries, each a {@link CommandBatch} of commands, through {@code applier}. */
    private static CommandApplier batched(CommandApplier applier) {
        return new CommandApplier() {
            @Override
            public CompletableFuture<byte[]> apply(long index, byte[] entry) {
                List<byte[]> commands;
                try {
                    commands = CommandBatch.decode(entry);
                } catch (IllegalArgumentException e) {
                    LOG.error("entry {} of a data group is not a batch of commands and is passed over: {}", index, e.getMessage());
                    return CompletableFuture.completedFuture(new byte[0]);
                }
                return applier.applyAll(index, commands).thenApply(CommandBatch::encode);
            }

            @Override
            public long durableIndex() {
                return applier.durableIndex();
            }
        };
    }

    @Override
    public boolean leads(String placementKey) {
        return views.leads(placementKey);
    }

    @Override
    public PartitionPlacement placement(String placementKey) {
        return views.placement(placementKey);
    }

    @Override
    public CompletableFuture<Void> addMember(String member) {
        ClusterMember m;
        try {
            m = ClusterMember.parse(member);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(BrokerException.preconditionFailed(e.getMessage()));
        }
        return changeMembership(current -> {
            for (ClusterMember c : current) {
                if (c.id().equals(m.id()) || c.address().equals(m.address())) {
                    throw BrokerException.preconditionFailed("the cluster has a member " + c + " already");
                }
            }
            List<ClusterMember> next = new ArrayList<>(current);
            next.add(m);
            return next;
        }, "adding " + m);
    }

    @Override
    public CompletableFuture<Void> removeMember(String id) {
        return changeMembership(current -> {
            List<ClusterMember> next = current.stream().filter(c -> !c.id().equals(id)).toList();
            if (next.size() == current.size()) {
                throw BrokerException.notFound("no member '" + id + "' in the cluster " + current);
            }
            if (next.isEmpty()) {
                throw BrokerException.preconditionFailed("'" + id + "' is the cluster's last member");
            }
            return next;
        }, "removing " + id);
    }

    /** Replaces the metadata group's members with what {@code change} makes of the current ones. */
    private CompletableFuture<Void> changeMembership(UnaryOperator<List<ClusterMember>> change, String what) {
        return CompletableFuture.runAsync(() -> {
            List<ClusterMember> next = change.apply(currentMembers());
            List<RaftPeer> peers = next.stream()
                    .map(m -> RaftPeer.newBuilder().setId(RaftPeerId.valueOf(m.id())).setAddress(m.address()).build())
                    .toList();
            try (RaftClient admin = GroupProposer.newClient(group)) {
                RaftClientReply reply = admin.admin().setConfiguration(peers);
                if (!reply.isSuccess()) {
                    throw new BrokerException(BrokerException.Kind.RESOURCE_ERROR, what + " was not agreed: " + reply.getException());
                }
            } catch (IOException e) {
                throw new BrokerException(BrokerException.Kind.RESOURCE_ERROR, what + " was not agreed: " + e.getMessage(), e);
            }
            LOG.info("cluster members are now {}", next);
        }, membership);
    }

    /** The metadata group's members now, by id; the members the node started with if the group cannot be asked. */
    private List<ClusterMember> currentMembers() {
        try {
            return server.getDivision(METADATA_GROUP).getRaftConf().getCurrentPeers().stream()
                    .map(p -> ClusterMember.parse(p.getId() + "@" + p.getAddress()))
                    .sorted(Comparator.comparing(ClusterMember::id))
                    .toList();
        } catch (IOException e) {
            return members;
        }
    }

    @Override
    public void onProposal(LongConsumer nanos) {
        this.proposalTimes = nanos;
    }

    @Override
    public ClusterStatus status() {
        try {
            return status(metadataStatus());
        } catch (IOException e) {
            return closingStatus();
        }
    }

    @Override
    public ClusterStatus statusFromLeader() {
        RaftServer.Division division;
        try {
            division = server.getDivision(METADATA_GROUP);
        } catch (IOException e) {
            return closingStatus();
        }
        DivisionInfo info = division.getInfo();
        RaftPeerId leader = info.getLeaderId();
        if (info.isLeader() || leader == null) {
            return status();
        }
        // Only the leader knows when it last heard from each member: ask it, once.
        try {
            GroupInfoReply reply = statusClient.getGroupManagementApi(leader).info(METADATA_GROUP);
            RoleInfoProto role = reply.getRoleInfoProto();
            if (reply.isSuccess() && role.hasLeaderInfo()) {
                return status(metadataStatus(info, role, reply.getCommitInfos()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("the metadata group's leader {} did not say how the members are", leader, e);
        }
        return status();
    }

    private ClusterStatus closingStatus() {
        return new ClusterStatus(self.id(), members.stream()
                .map(m -> new ClusterStatus.Member(m.id(), m.address(), m.equals(self) ? MemberState.SELF : MemberState.UNKNOWN))
                .toList(), List.of());
    }

    /** The members' states as {@code metadataGroup}'s replicas, when known, tell them. */
    private ClusterStatus status(GroupStatus metadataGroup) {
        Map<String, GroupStatus.Replica> replicas = new HashMap<>();
        metadataGroup.replicas().forEach(r -> replicas.put(r.id(), r));
        List<ClusterStatus.Member> out = new ArrayList<>();
        for (ClusterMember m : currentMembers()) {
            MemberState state;
            if (m.equals(self)) {
                state = MemberState.SELF;
            } else if (replicas.get(m.id()) instanceof GroupStatus.Replica r) {
                state = r.lastContactMs() > DOWN_AFTER_MS ? MemberState.DOWN : MemberState.UP;
            } else if (metadataGroup.leader().filter(m.id()::equals).isPresent()) {
                state = MemberState.UP;
            } else {
                // Not a follower the leader reports (one being added), or no leader's view at hand.
                state = MemberState.UNKNOWN;
            }
            out.add(new ClusterStatus.Member(m.id(), m.address(), state));
        }
        List<GroupStatus> groups = new ArrayList<>(List.of(metadataGroup));
        groups.addAll(views.dataStatus());
        return new ClusterStatus(self.id(), out, groups);
    }

    /**
     * Stops proposing and leaves the group; the other members carry on if they are a majority.
     * Returns once the applies this node started have finished.
     */
    @Override
    public void close() throws IOException {
        try (GroupProposer p = proposer; RaftClient s = statusClient) {
            dataProposers.forEach(GroupProposer::close);
            server.close();
        } finally {
            replies.shutdown();
            membership.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "cluster node " + self;
    }
}
