package io.wharf.protocol.amqp;

import io.wharf.core.message.Message;
import io.wharf.core.stream.StreamMessages;
import io.wharf.core.stream.StreamPartition;
import io.wharf.storage.StorageException;
import io.wharf.storage.record.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP consumer of a stream (RabbitMQ's stream queues): it reads the stream's log from an
 * offset on, never removing anything, and keeps at most its prefetch count of deliveries
 * unacknowledged. An acknowledgement only makes room for the next delivery. It sees what a Kafka
 * read_committed consumer sees: records of open or aborted transactions are not delivered.
 *
 * <p>Confined to the connection's event loop.
 */
final class StreamConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(StreamConsumer.class);
    private static final int READ_BYTES = 256 * 1024;

    final String tag;
    private final AmqpChannel channel;
    private final AmqpConnection conn;
    private final StreamPartition partition;
    private final int prefetch;
    private long next;
    private int unacked;
    private boolean waiting;
    private boolean cancelled;

    StreamConsumer(AmqpChannel channel, AmqpConnection conn, String tag, StreamPartition partition, long from, int prefetch) {
        this.channel = channel;
        this.conn = conn;
        this.tag = tag;
        this.partition = partition;
        this.next = from;
        this.prefetch = prefetch;
    }

    /** Delivers what the stream has from the next offset on, as far as the prefetch allows. */
    void pump() {
        while (!cancelled && unacked < prefetch && !waiting) {
            if (next >= partition.lastStableOffset()) {
                waiting = true;
                partition.awaitData(next, true).thenRun(() -> conn.onLoop(() -> {
                    waiting = false;
                    pump();
                }));
                return;
            }
            next = Math.max(next, partition.logStartOffset());
            try {
                // Like a read_committed Kafka consumer: no markers, nothing of aborted transactions.
                StreamPartition.CommittedRead read = partition.readCommitted(next, READ_BYTES);
                for (Record r : read.records()) {
                    Message m = StreamMessages.toMessage(r);
                    next = r.offset() + 1;
                    unacked++;
                    channel.deliverFromStream(this, m);
                    if (unacked >= prefetch || cancelled) {
                        return;
                    }
                }
                next = Math.max(next, read.nextOffset());
            } catch (StorageException e) {
                LOG.warn("stream consumer {} on {}: reading offset {} failed: {}", tag, partition, next, e.getMessage());
                cancelled = true;
                return;
            }
        }
    }

    /** A delivery was acknowledged, rejected or returned: room for one more. */
    void settled() {
        unacked--;
        pump();
    }

    void cancel() {
        cancelled = true;
    }
}
