package io.wharf.core.stream;

import io.wharf.storage.record.CheckedBatch;

/**
 * A change to one stream partition: its log and what producers left in it (idempotent producers'
 * sequences, open and ended transactions). A {@link StreamPartition} changes only by applying
 * these. What they depend on is decided before and carried in them: the partition a keyless
 * record goes to (by the producer, or by the router for a message published through an
 * exchange), a transaction marker's timestamp and coordinator epoch (by the transaction
 * coordinator), so the same commands in the same order leave a partition holding the same
 * records and the same producer state.
 */
public sealed interface PartitionCommand {

    /** One record batch, appended as it is. */
    record Append(CheckedBatch batch) implements PartitionCommand {
    }

    /**
     * A batch of an idempotent producer (of a transactional one when {@code transactional}),
     * appended unless it repeats or does not follow the producer's latest batches.
     */
    record AppendIdempotent(CheckedBatch batch, long producerId, short epoch, int firstSequence, int lastSequence,
                            boolean transactional) implements PartitionCommand {
    }

    /** A producer's transaction ends here with a commit or an abort marker, which fences its older epochs. */
    record EndTransaction(long producerId, short epoch, boolean commit, int coordinatorEpoch, long timestamp)
            implements PartitionCommand {
    }

    /** Every record below {@code offset} (at most the high watermark) becomes unreadable (Kafka's DeleteRecords). */
    record DeleteRecords(long offset) implements PartitionCommand {
    }
}
