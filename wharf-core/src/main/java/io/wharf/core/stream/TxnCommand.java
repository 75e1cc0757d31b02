package io.wharf.core.stream;

import io.wharf.core.stream.TransactionCoordinator.PartitionRef;
import io.wharf.core.stream.TransactionCoordinator.PendingOffset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change to the transactions of a virtual host. The {@link TransactionCoordinator} changes them
 * only by applying these, one at a time on its owner. What depends on time or on a counter is
 * decided before and carried here: the producer id a new producer would get, the time a
 * transaction started or was decided (its markers carry it), that an open transaction outlived its
 * timeout by the coordinator's clock.
 *
 * <p>Every command names its transactional id; {@code at} is the coordinator's clock when it was made.
 */
public sealed interface TxnCommand {

    String transactionalId();

    /**
     * A producer starts (or restarts) with a transactional id: a new epoch, or {@code newProducerId}
     * when the id is fresh or its epochs are used up; a transaction the old instance left open is aborted.
     */
    record InitProducer(String transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch,
                        long newProducerId, long at) implements TxnCommand {
    }

    /** Partitions join the producer's transaction, which starts at {@code at} if it was not open. */
    record AddPartitions(String transactionalId, long producerId, short epoch, List<PartitionRef> partitions, long at)
            implements TxnCommand {
        public AddPartitions {
            partitions = List.copyOf(partitions);
        }
    }

    /** A consumer group whose offsets the transaction commits joins it. */
    record AddGroup(String transactionalId, long producerId, short epoch, String group, long at) implements TxnCommand {
    }

    /** Group offsets held until the transaction commits. */
    record HoldOffsets(String transactionalId, long producerId, short epoch, String group, Map<PartitionRef, PendingOffset> offsets)
            implements TxnCommand {
        public HoldOffsets {
            offsets = new LinkedHashMap<>(offsets);
        }
    }

    /** The producer commits or aborts; the markers written for it carry {@code at}. */
    record End(String transactionalId, long producerId, short epoch, boolean commit, long at) implements TxnCommand {
    }

    /** An open transaction outlived its timeout by the clock: it is aborted under a new epoch (or {@code newProducerId}). */
    record TimeOut(String transactionalId, long newProducerId, long at) implements TxnCommand {
    }

    /** Every marker of the decided transaction is written (and, on commit, its offsets committed): it is complete. */
    record MarkersWritten(String transactionalId, long producerId, short epoch) implements TxnCommand {
    }
}
