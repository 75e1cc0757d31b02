package io.wharf.management.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.wharf.core.Broker;
import io.wharf.core.queue.Queue;
import io.wharf.core.vhost.VirtualHost;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The meters of every queue of every virtual host, tagged {@code vhost} and {@code queue}: the
 * message counters of {@link Queue#stats()} and gauges of depth, consumers and disk use.
 *
 * <p>Not thread-safe: {@link BrokerMetrics} serialises {@link #refresh()}.
 */
final class QueueMeters {

    private final Broker broker;
    private final MeterSet<Queue> meters;

    QueueMeters(Broker broker, MeterRegistry registry) {
        this.broker = broker;
        this.meters = new MeterSet<>(registry, (tags, queue) -> register(registry, tags, queue));
    }

    /** Registers meters for new queues and removes those of deleted ones; true if any changed. */
    boolean refresh() {
        Map<Tags, Queue> present = new HashMap<>();
        for (VirtualHost vhost : broker.vhosts().values()) {
            for (Queue q : vhost.queues()) {
                present.put(Tags.of("vhost", vhost.name(), "queue", q.name()), q);
            }
        }
        return meters.sync(present);
    }

    void clear() {
        meters.clear();
    }

    private static List<Meter> register(MeterRegistry registry, Tags tags, Queue queue) {
        List<Meter> out = new ArrayList<>(MessageCounters.register(registry, "wharf.queue",
                EnumSet.allOf(MessageCounters.class), tags, queue, Queue::stats));
        out.add(Gauge.builder("wharf.queue.messages.ready", queue, Queue::messageCount)
                .description("Messages ready for delivery").tags(tags).register(registry));
        out.add(Gauge.builder("wharf.queue.messages.unacknowledged", queue, Queue::unackedCount)
                .description("Messages delivered and not yet acknowledged").tags(tags).register(registry));
        out.add(Gauge.builder("wharf.queue.consumers", queue, Queue::consumerCount)
                .description("Consumers subscribed to the queue").tags(tags).register(registry));
        out.add(Gauge.builder("wharf.queue.disk", queue, Queue::logBytes).baseUnit("bytes")
                .description("Bytes the queue's logs take on disk (in memory for a transient queue)")
                .tags(tags).register(registry));
        return out;
    }
}
