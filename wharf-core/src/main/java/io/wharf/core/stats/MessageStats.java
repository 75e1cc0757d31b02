package io.wharf.core.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of what happened to the messages of one queue, stream or connection since the
 * broker started. Counters only grow; rates are differences between two {@link #snapshot()}s.
 *
 * <p>Thread-safe and cheap to update from hot paths.
 */
public final class MessageStats {

    private final LongAdder published = new LongAdder();
    private final LongAdder publishedBytes = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deliveredBytes = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();

    /** Messages accepted, with their body bytes. */
    public void published(long messages, long bytes) {
        published.add(messages);
        publishedBytes.add(bytes);
    }

    /** Messages handed to a consumer or a get, with their body bytes; {@code redelivery} if seen before. */
    public void delivered(long messages, long bytes, boolean redelivery) {
        delivered.add(messages);
        deliveredBytes.add(bytes);
        if (redelivery) {
            redelivered.add(messages);
        }
    }

    public void acknowledged(long messages) {
        acknowledged.add(messages);
    }

    public void deadLettered(long messages) {
        deadLettered.add(messages);
    }

    public Snapshot snapshot() {
        return new Snapshot(published.sum(), publishedBytes.sum(), delivered.sum(), deliveredBytes.sum(),
                acknowledged.sum(), redelivered.sum(), deadLettered.sum());
    }

    /** The counters at one moment. */
    public record Snapshot(long published, long publishedBytes, long delivered, long deliveredBytes,
                           long acknowledged, long redelivered, long deadLettered) {

        public static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0, 0);

        public Snapshot plus(Snapshot o) {
            return new Snapshot(published + o.published, publishedBytes + o.publishedBytes, delivered + o.delivered,
                    deliveredBytes + o.deliveredBytes, acknowledged + o.acknowledged, redelivered + o.redelivered,
                    deadLettered + o.deadLettered);
        }
    }
}
