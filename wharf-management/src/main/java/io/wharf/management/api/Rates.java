package io.wharf.management.api;

import io.wharf.core.Broker;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.queue.Queue;
import io.wharf.core.stats.MessageStats;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamPartition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.storage.concurrent.NamedThreadFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Message rates: every few seconds, the counters of every queue, stream, connection and vhost
 * are sampled, and each rate is the difference from the previous sample over the time between.
 * Objects that went away are forgotten at the next sample.
 *
 * <p>Thread-safe; sampling runs on its own named thread until {@link #close()}.
 */
public final class Rates implements AutoCloseable {

    /** Per-second rates of the counters of a {@link MessageStats.Snapshot}, in the same order. */
    public record PerSecond(double published, double publishedBytes, double delivered, double deliveredBytes,
                            double acknowledged, double redelivered, double deadLettered) {
        static final PerSecond ZERO = new PerSecond(0, 0, 0, 0, 0, 0, 0);

        PerSecond plus(PerSecond o) {
            return new PerSecond(published + o.published, publishedBytes + o.publishedBytes, delivered + o.delivered,
                    deliveredBytes + o.deliveredBytes, acknowledged + o.acknowledged, redelivered + o.redelivered,
                    deadLettered + o.deadLettered);
        }
    }

    private record Sample(MessageStats.Snapshot counters, long atNanos, PerSecond rates) {
    }

    private final Broker broker;
    private final long intervalMillis;
    private final Map<String, Sample> samples = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    public Rates(Broker broker, long intervalMillis) {
        this.broker = broker;
        this.intervalMillis = intervalMillis;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("http-rates", true));
        sample();
        scheduler.scheduleAtFixedRate(this::sample, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    /** The totals of a vhost: every queue's and stream's counters added up. */
    public static MessageStats.Snapshot totals(VirtualHost vhost) {
        MessageStats.Snapshot s = MessageStats.Snapshot.ZERO;
        for (Queue q : vhost.queues()) {
            s = s.plus(q.stats().snapshot());
        }
        for (Stream st : vhost.streams()) {
            s = s.plus(totals(st));
        }
        return s;
    }

    public static MessageStats.Snapshot totals(Stream stream) {
        MessageStats.Snapshot s = MessageStats.Snapshot.ZERO;
        for (StreamPartition p : stream.partitions()) {
            s = s.plus(p.stats().snapshot());
        }
        return s;
    }

    /** A connection's traffic in the shape of message counters: in is published, out delivered. */
    public static MessageStats.Snapshot traffic(ClientConnection c) {
        return new MessageStats.Snapshot(c.messagesIn(), c.bytesIn(), c.messagesOut(), c.bytesOut(), 0, 0, 0);
    }

    static String queueKey(String vhost, String queue) {
        return "q\0" + vhost + "\0" + queue;
    }

    static String streamKey(String vhost, String stream) {
        return "s\0" + vhost + "\0" + stream;
    }

    static String partitionKey(String vhost, String stream, int partition) {
        return "p\0" + vhost + "\0" + stream + "\0" + partition;
    }

    static String vhostKey(String vhost) {
        return "v\0" + vhost;
    }

    static String connectionKey(String name) {
        return "c\0" + name;
    }

    static final String BROKER_KEY = "b";

    /** The latest rates of the object with this key, zero if it has not been sampled twice. */
    public PerSecond rates(String key) {
        Sample s = samples.get(key);
        return s == null ? PerSecond.ZERO : s.rates();
    }

    private void sample() {
        try {
            long now = System.nanoTime();
            Map<String, MessageStats.Snapshot> current = new HashMap<>();
            MessageStats.Snapshot all = MessageStats.Snapshot.ZERO;
            for (VirtualHost v : broker.vhosts().values()) {
                MessageStats.Snapshot vt = MessageStats.Snapshot.ZERO;
                for (Queue q : v.queues()) {
                    MessageStats.Snapshot s = q.stats().snapshot();
                    current.put(queueKey(v.name(), q.name()), s);
                    vt = vt.plus(s);
                }
                for (Stream st : v.streams()) {
                    MessageStats.Snapshot ss = MessageStats.Snapshot.ZERO;
                    for (StreamPartition p : st.partitions()) {
                        MessageStats.Snapshot s = p.stats().snapshot();
                        current.put(partitionKey(v.name(), st.name(), p.index()), s);
                        ss = ss.plus(s);
                    }
                    current.put(streamKey(v.name(), st.name()), ss);
                    vt = vt.plus(ss);
                }
                current.put(vhostKey(v.name()), vt);
                all = all.plus(vt);
            }
            current.put(BROKER_KEY, all);
            for (ClientConnection c : broker.connections().all()) {
                current.put(connectionKey(c.name()), traffic(c));
            }
            samples.keySet().retainAll(current.keySet());
            current.forEach((key, counters) -> samples.compute(key, (k, prev) -> prev == null
                    ? new Sample(counters, now, PerSecond.ZERO)
                    : new Sample(counters, now, perSecond(prev.counters(), counters, now - prev.atNanos()))));
        } catch (RuntimeException e) {
            // A sample that failed (an object closing under it) is simply retried at the next tick.
            org.slf4j.LoggerFactory.getLogger(Rates.class).debug("rate sample failed", e);
        }
    }

    private static PerSecond perSecond(MessageStats.Snapshot a, MessageStats.Snapshot b, long nanos) {
        double secs = Math.max(nanos, 1) / 1e9;
        return new PerSecond(rate(a.published(), b.published(), secs), rate(a.publishedBytes(), b.publishedBytes(), secs),
                rate(a.delivered(), b.delivered(), secs), rate(a.deliveredBytes(), b.deliveredBytes(), secs),
                rate(a.acknowledged(), b.acknowledged(), secs), rate(a.redelivered(), b.redelivered(), secs),
                rate(a.deadLettered(), b.deadLettered(), secs));
    }

    private static double rate(long before, long after, double secs) {
        // A counter that went down belongs to an object that was deleted and declared again.
        return after < before ? 0 : Math.round((after - before) / secs * 10) / 10.0;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
