package io.wharf.management.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.wharf.core.Broker;
import io.wharf.core.stream.ConsumerGroupDirectory;
import io.wharf.core.stream.GroupOffsets;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamPartition;
import io.wharf.core.vhost.VirtualHost;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lag of every consumer group on every partition it has committed an offset for, and the live
 * members of each group its coordinator reports.
 *
 * <p>Lag is the partition's high watermark less the group's committed offset, never below zero
 * (a group may commit past the end, or the log may be truncated under it). A committed offset on a
 * partition that no longer exists has no lag and no meter.
 *
 * <p>Not thread-safe: {@link BrokerMetrics} serialises {@link #refresh()}.
 */
final class ConsumerGroupMeters {

    private final Broker broker;
    private final MeterSet<VirtualHost> lag;
    private final MeterSet<VirtualHost> members;

    ConsumerGroupMeters(Broker broker, MeterRegistry registry) {
        this.broker = broker;
        this.lag = new MeterSet<>(registry, (tags, vhost) -> List.of(registerLag(registry, tags, vhost)));
        this.members = new MeterSet<>(registry, (tags, vhost) -> List.of(registerMembers(registry, tags, vhost)));
    }

    /** Registers meters for new groups and partitions and removes those gone; true if any changed. */
    boolean refresh() {
        Map<Tags, VirtualHost> lags = new HashMap<>();
        Map<Tags, VirtualHost> groups = new HashMap<>();
        for (VirtualHost vhost : broker.vhosts().values()) {
            GroupOffsets offsets = vhost.groupOffsets();
            for (String group : offsets.groups()) {
                for (GroupOffsets.Committed c : offsets.all(group)) {
                    if (partition(vhost, c.stream(), c.partition()).isPresent()) {
                        lags.put(Tags.of("vhost", vhost.name(), "group", group, "stream", c.stream(),
                                "partition", Integer.toString(c.partition())), vhost);
                    }
                }
            }
            for (ConsumerGroupDirectory.Group g : vhost.consumerGroups().groups()) {
                groups.put(Tags.of("vhost", vhost.name(), "group", g.id()), vhost);
            }
        }
        boolean changed = lag.sync(lags);
        return members.sync(groups) || changed;
    }

    void clear() {
        lag.clear();
        members.clear();
    }

    private static Optional<StreamPartition> partition(VirtualHost vhost, String stream, int index) {
        Stream s = vhost.stream(stream);
        return Optional.ofNullable(s == null ? null : s.partition(index));
    }

    private static Meter registerLag(MeterRegistry registry, Tags tags, VirtualHost vhost) {
        String group = MeterSet.tag(tags, "group");
        String stream = MeterSet.tag(tags, "stream");
        int index = Integer.parseInt(MeterSet.tag(tags, "partition"));
        return Gauge.builder("wharf.consumer.group.lag", vhost, v -> lag(v, group, stream, index))
                .description("Records of the partition after the group's committed offset")
                .tags(tags).register(registry);
    }

    private static double lag(VirtualHost vhost, String group, String stream, int index) {
        Optional<StreamPartition> p = partition(vhost, stream, index);
        Optional<GroupOffsets.Committed> c = vhost.groupOffsets().get(group, stream, index);
        if (p.isEmpty() || c.isEmpty()) {
            return Double.NaN;
        }
        return Math.max(0, p.get().highWatermark() - c.get().offset());
    }

    private static Meter registerMembers(MeterRegistry registry, Tags tags, VirtualHost vhost) {
        String group = MeterSet.tag(tags, "group");
        return Gauge.builder("wharf.consumer.group.members", vhost, v -> v.consumerGroups().groups().stream()
                        .filter(g -> g.id().equals(group)).mapToInt(g -> g.members().size()).sum())
                .description("Live members of the group, as its coordinator reports them")
                .tags(tags).register(registry);
    }
}
