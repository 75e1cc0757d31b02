package io.wharf.protocol.amqp;

import io.wharf.core.stream.StreamMessages;
import io.wharf.core.stream.StreamPartition;
import io.wharf.storage.record.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * An AMQP consumer of a stream (RabbitMQ's stream queues): it reads the stream's log from an
 * offset on, never removing anything, and keeps at most its prefetch count of deliveries
 * unacknowledged. An acknowledgement only makes room for the next delivery. It sees what a Kafka
 * read_committed consumer sees: records of open or aborted transactions are not delivered.
 *
 * <p>Confined to the connection's event loop; its reads run on the streams' read threads, and
 * what they read comes back to the loop to be delivered.
 */
final class StreamConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(StreamConsumer.class);
    private static final int READ_BYTES = 256 * 1024;

    final String tag;
    private final AmqpChannel channel;
    private final AmqpConnection conn;
    private final StreamPartition partition;
    private final Executor reads;
    private final int prefetch;
    /** Records read and not yet delivered, in offset order. */
    private final ArrayDeque<Record> ahead = new ArrayDeque<>();
    /** The next offset to read once {@link #ahead} is delivered. */
    private long next;
    private int unacked;
    private boolean waiting;
    private boolean reading;
    private boolean cancelled;

    StreamConsumer(AmqpChannel channel, AmqpConnection conn, String tag, StreamPartition partition, Executor reads,
                   long from, int prefetch) {
        this.channel = channel;
        this.conn = conn;
        this.tag = tag;
        this.partition = partition;
        this.reads = reads;
        this.next = from;
        this.prefetch = prefetch;
    }

    /** Delivers what the stream has from the next offset on, as far as the prefetch allows. */
    void pump() {
        while (!cancelled && unacked < prefetch && !ahead.isEmpty()) {
            unacked++;
            channel.deliverFromStream(this, StreamMessages.toMessage(ahead.poll()));
        }
        if (cancelled || unacked >= prefetch || !ahead.isEmpty() || waiting || reading) {
            return;
        }
        if (next >= partition.lastStableOffset()) {
            waiting = true;
            partition.awaitData(next, true).thenRun(() -> conn.onLoop(() -> {
                waiting = false;
                pump();
            }));
            return;
        }
        reading = true;
        long from = Math.max(next, partition.logStartOffset());
        CompletableFuture.supplyAsync(() -> partition.readCommitted(from, READ_BYTES), reads)
                .whenComplete((read, e) -> conn.onLoop(() -> {
                    reading = false;
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        LOG.warn("stream consumer {} on {}: reading offset {} failed: {}", tag, partition, from, cause.toString());
                        cancelled = true;
                        return;
                    }
                    // Like a read_committed Kafka consumer: no markers, nothing of aborted transactions.
                    ahead.addAll(read.records());
                    next = Math.max(from, read.nextOffset());
                    pump();
                }));
    }

    /** A delivery was acknowledged, rejected or returned: room for one more. */
    void settled() {
        unacked--;
        pump();
    }

    void cancel() {
        cancelled = true;
        ahead.clear();
    }
}
