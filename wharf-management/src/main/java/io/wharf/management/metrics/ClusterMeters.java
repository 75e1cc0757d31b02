package io.wharf.management.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.ClusterStatus;
import io.wharf.core.cluster.GroupStatus;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The Raft state of the cluster this node is one of, as the node sees it at each scrape: per group
 * its term, commit and applied index, whether this node leads it, how often its leader changed,
 * and (on the group's leader) each replica's lag; per member whether it answers; and how long this
 * node's proposals take to be agreed and applied.
 *
 * <p>Not thread-safe: {@link BrokerMetrics} serialises {@link #refresh()}.
 */
final class ClusterMeters {

    /** Below a commit on one fast machine, above a proposal that gives up. */
    private static final Duration PROPOSAL_MIN = Duration.ofNanos(100_000);
    private static final Duration PROPOSAL_MAX = Duration.ofSeconds(30);

    private final Cluster cluster;
    private final MeterSet<ClusterMeters> groups;
    private final MeterSet<ClusterMeters> replicas;
    private final MeterSet<ClusterMeters> members;
    private final Timer proposals;
    private ClusterStatus latest;
    private Map<String, GroupStatus> latestGroups = Map.of();

    ClusterMeters(Cluster cluster, MeterRegistry registry) {
        this.cluster = cluster;
        this.groups = new MeterSet<>(registry, (tags, self) -> registerGroup(registry, tags, self));
        this.replicas = new MeterSet<>(registry, (tags, self) -> List.of(registerReplica(registry, tags, self)));
        this.members = new MeterSet<>(registry, (tags, self) -> List.of(registerMember(registry, tags, self)));
        this.proposals = Timer.builder("wharf.cluster.proposal")
                .description("Time from proposing a change to the cluster until a majority had it and this node applied it")
                .publishPercentileHistogram()
                .minimumExpectedValue(PROPOSAL_MIN)
                .maximumExpectedValue(PROPOSAL_MAX)
                .register(registry);
        cluster.onProposal(nanos -> proposals.record(nanos, TimeUnit.NANOSECONDS));
    }

    /** Reads the cluster's status once, and registers meters for groups, replicas and members first seen. */
    void refresh() {
        latest = cluster.status();
        Map<String, GroupStatus> byName = new HashMap<>();
        Map<Tags, ClusterMeters> groupTags = new HashMap<>();
        Map<Tags, ClusterMeters> replicaTags = new HashMap<>();
        for (GroupStatus g : latest.groups()) {
            byName.put(g.group(), g);
            groupTags.put(Tags.of("group", g.group()), this);
            for (ClusterStatus.Member m : latest.members()) {
                if (!m.id().equals(latest.node())) {
                    replicaTags.put(Tags.of("group", g.group(), "replica", m.id()), this);
                }
            }
        }
        latestGroups = byName;
        Map<Tags, ClusterMeters> memberTags = new HashMap<>();
        latest.members().forEach(m -> memberTags.put(Tags.of("member", m.id()), this));
        groups.sync(groupTags);
        replicas.sync(replicaTags);
        members.sync(memberTags);
    }

    void clear() {
        cluster.onProposal(nanos -> { });
        groups.clear();
        replicas.clear();
        members.clear();
    }

    private static List<Meter> registerGroup(MeterRegistry registry, Tags tags, ClusterMeters self) {
        String group = MeterSet.tag(tags, "group");
        return List.of(
                gauge(registry, "wharf.cluster.term", "The Raft term this node is in", tags, self, group, GroupStatus::term),
                gauge(registry, "wharf.cluster.commit.index", "The last log index this node knows a majority has", tags, self,
                        group, GroupStatus::commitIndex),
                gauge(registry, "wharf.cluster.applied.index", "The last log index this node has applied", tags, self, group,
                        GroupStatus::appliedIndex),
                gauge(registry, "wharf.cluster.leader", "1 if this node leads the group, else 0", tags, self, group,
                        g -> g.role().equals("LEADER") ? 1 : 0),
                FunctionCounter.builder("wharf.cluster.leader.changes", self,
                                s -> s.group(group) instanceof GroupStatus g ? g.leaderChanges() : 0)
                        .description("How many times this node saw the group's leader change since it started")
                        .tags(tags).register(registry));
    }

    private static Meter gauge(MeterRegistry registry, String name, String description, Tags tags, ClusterMeters self,
                               String group, ToDoubleFunction<GroupStatus> value) {
        return Gauge.builder(name, self, s -> s.group(group) instanceof GroupStatus g ? value.applyAsDouble(g) : Double.NaN)
                .description(description).tags(tags).register(registry);
    }

    private static Meter registerReplica(MeterRegistry registry, Tags tags, ClusterMeters self) {
        String group = MeterSet.tag(tags, "group");
        String replica = MeterSet.tag(tags, "replica");
        return Gauge.builder("wharf.cluster.replica.lag", self, s -> s.group(group) instanceof GroupStatus g
                        ? g.replicas().stream().filter(r -> r.id().equals(replica)).mapToDouble(GroupStatus.Replica::lag)
                        .findFirst().orElse(Double.NaN) : Double.NaN)
                .description("Committed entries a replica has not reported yet, as the group's leader sees it; NaN on other nodes")
                .tags(tags).register(registry);
    }

    private static Meter registerMember(MeterRegistry registry, Tags tags, ClusterMeters self) {
        String member = MeterSet.tag(tags, "member");
        return Gauge.builder("wharf.cluster.member.up", self, s -> s.latest == null ? Double.NaN
                        : s.latest.members().stream().filter(m -> m.id().equals(member)).mapToDouble(m -> switch (m.state()) {
                            case SELF, UP -> 1;
                            case DOWN -> 0;
                            case UNKNOWN -> Double.NaN;
                        }).findFirst().orElse(Double.NaN))
                .description("1 if the member answers, 0 if the metadata group's leader has not heard from it lately; NaN where"
                        + " this node cannot tell (it does not lead)")
                .tags(tags).register(registry);
    }

    private GroupStatus group(String name) {
        return latestGroups.get(name);
    }
}
