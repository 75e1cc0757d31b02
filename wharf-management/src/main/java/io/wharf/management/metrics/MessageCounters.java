package io.wharf.management.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.wharf.core.stats.MessageStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Counters that read the running totals of a {@link MessageStats}, shared by queues and stream
 * partitions. The totals grow only, so they are Prometheus counters read at scrape time, never
 * incremented by the broker's hot paths.
 */
enum MessageCounters {
    PUBLISHED("messages.published", null, "Messages accepted", MessageStats.Snapshot::published),
    PUBLISHED_BYTES("messages.published.bytes", "bytes", "Body bytes of the messages accepted",
            MessageStats.Snapshot::publishedBytes),
    DELIVERED("messages.delivered", null, "Messages handed to consumers", MessageStats.Snapshot::delivered),
    DELIVERED_BYTES("messages.delivered.bytes", "bytes", "Body bytes of the messages handed to consumers",
            MessageStats.Snapshot::deliveredBytes),
    ACKNOWLEDGED("messages.acknowledged", null, "Messages acknowledged by consumers",
            MessageStats.Snapshot::acknowledged),
    REDELIVERED("messages.redelivered", null, "Deliveries of messages that had been delivered before",
            MessageStats.Snapshot::redelivered),
    DEAD_LETTERED("messages.dead.lettered", null, "Messages dead-lettered (rejected, expired or over the length limit)",
            MessageStats.Snapshot::deadLettered);

    private final String suffix;
    private final String unit;
    private final String description;
    private final ToLongFunction<MessageStats.Snapshot> field;

    MessageCounters(String suffix, String unit, String description, ToLongFunction<MessageStats.Snapshot> field) {
        this.suffix = suffix;
        this.unit = unit;
        this.description = description;
        this.field = field;
    }

    /**
     * Registers one counter per member of {@code which}, named {@code prefix + "." + suffix}.
     *
     * @param stats reaches the stats from the target; it must not capture the target itself
     */
    static <T> List<Meter> register(MeterRegistry registry, String prefix, Set<MessageCounters> which, Tags tags,
                                    T target, Function<T, MessageStats> stats) {
        List<Meter> out = new ArrayList<>(which.size());
        for (MessageCounters c : which) {
            out.add(FunctionCounter.builder(prefix + "." + c.suffix, target,
                            t -> c.field.applyAsLong(stats.apply(t).snapshot()))
                    .baseUnit(c.unit).description(c.description).tags(tags).register(registry));
        }
        return out;
    }
}
