package io.wharf.management.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.wharf.core.Broker;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamPartition;
import io.wharf.core.vhost.VirtualHost;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The meters of every stream partition, tagged {@code vhost}, {@code stream} and
 * {@code partition}: the message counters of {@link StreamPartition#stats()}, the records the
 * partition holds and its bytes on disk. Per stream figures are sums over {@code partition}
 * (PromQL {@code sum by (vhost, stream)}); one series per partition is what Kafka exporters give
 * too, and it shows a skewed partitioner.
 *
 * <p>Not thread-safe: {@link BrokerMetrics} serialises {@link #refresh()}.
 */
final class StreamMeters {

    private static final EnumSet<MessageCounters> COUNTERS = EnumSet.of(MessageCounters.PUBLISHED,
            MessageCounters.PUBLISHED_BYTES, MessageCounters.DELIVERED, MessageCounters.DELIVERED_BYTES);

    private final Broker broker;
    private final MeterSet<StreamPartition> meters;

    StreamMeters(Broker broker, MeterRegistry registry) {
        this.broker = broker;
        this.meters = new MeterSet<>(registry, (tags, partition) -> register(registry, tags, partition));
    }

    /** Registers meters for new partitions and removes those of deleted streams; true if any changed. */
    boolean refresh() {
        Map<Tags, StreamPartition> present = new HashMap<>();
        for (VirtualHost vhost : broker.vhosts().values()) {
            for (Stream s : vhost.streams()) {
                for (StreamPartition p : s.partitions()) {
                    present.put(Tags.of("vhost", vhost.name(), "stream", s.name(),
                            "partition", Integer.toString(p.index())), p);
                }
            }
        }
        return meters.sync(present);
    }

    void clear() {
        meters.clear();
    }

    private static List<Meter> register(MeterRegistry registry, Tags tags, StreamPartition partition) {
        List<Meter> out = new ArrayList<>(MessageCounters.register(registry, "wharf.stream", COUNTERS, tags, partition,
                StreamPartition::stats));
        out.add(Gauge.builder("wharf.stream.messages", partition, p -> p.highWatermark() - p.logStartOffset())
                .description("Records the partition holds: its high watermark less its log start offset")
                .tags(tags).register(registry));
        out.add(Gauge.builder("wharf.stream.disk", partition, StreamPartition::logBytes).baseUnit("bytes")
                .description("Bytes the partition's log takes on disk").tags(tags).register(registry));
        return out;
    }
}
