package io.wharf.core.stream;

import io.wharf.storage.StorageException;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transactions of one partition as its log records them: where each producer's open
 * transaction begins (which holds back the last stable offset) and which ranges were aborted, so
 * that committed-only readers can skip them.
 *
 * <p>Not thread-safe: only the partition's owner uses it.
 */
final class PartitionTransactions {

    /** An aborted transaction: its producer's batches from {@code firstOffset} up to the marker at {@code markerOffset}. */
    record Aborted(long producerId, long firstOffset, long markerOffset) {
    }

    private final Map<Long, Long> open = new HashMap<>();
    private final List<Aborted> aborted = new ArrayList<>();
    /** The log start the aborted ranges were last trimmed to: trimming again only pays when it moved. */
    private long trimmedTo = -1;
    /** Whether the aborted ranges changed since {@link #abortedChanged()} last answered. */
    private boolean abortedChanged = true;

    /** Reads a log's transactional batches and markers from its start, as recovery after a restart. */
    static PartitionTransactions recover(Log log) {
        PartitionTransactions t = new PartitionTransactions();
        long offset = log.startOffset();
        long end = log.durableEndOffset();
        while (offset < end) {
            try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.DURABLE)) {
                if (s.isEmpty()) {
                    break;
                }
                for (RecordBatch b : s.batches()) {
                    if (!b.isTransactional()) {
                        continue;
                    }
                    if (b.isControl()) {
                        Boolean commit = markerType(b);
                        if (commit != null) {
                            t.ended(b.producerId(), b.baseOffset(), commit);
                        }
                    } else {
                        t.appended(b.producerId(), b.baseOffset());
                    }
                }
                offset = s.nextOffset();
            } catch (StorageException e) {
                // A damaged stretch is reported by the log; what was read before it stands.
                break;
            }
        }
        return t;
    }

    /** True for a commit marker, false for an abort, null for a control record of another kind. */
    private static Boolean markerType(RecordBatch control) {
        for (Record r : control.records()) {
            ByteBuffer key = r.key();
            if (key == null || key.remaining() < 4) {
                return null;
            }
            short type = key.getShort(key.position() + 2);
            return type == TransactionMarkers.COMMIT ? Boolean.TRUE : type == TransactionMarkers.ABORT ? Boolean.FALSE : null;
        }
        return null;
    }

    void appended(long producerId, long baseOffset) {
        open.putIfAbsent(producerId, baseOffset);
    }

    void ended(long producerId, long markerOffset, boolean commit) {
        Long first = open.get(producerId);
        if (first == null || first > markerOffset) {
            return;
        }
        open.remove(producerId);
        if (!commit) {
            aborted.add(new Aborted(producerId, first, markerOffset));
            abortedChanged = true;
        }
    }

    /** The first offset of the oldest open transaction, or {@code Long.MAX_VALUE} if none is open. */
    long firstUnstableOffset() {
        long min = Long.MAX_VALUE;
        for (long first : open.values()) {
            min = Math.min(min, first);
        }
        return min;
    }

    /** The aborted transactions still in the log, oldest first. */
    List<Aborted> aborted() {
        return aborted;
    }

    /** Whether {@link #aborted()} changed since the last call; the partition republishes it only then. */
    boolean abortedChanged() {
        boolean changed = abortedChanged;
        abortedChanged = false;
        return changed;
    }

    /** Forgets aborted ranges wholly below the log's start, which retention removed. */
    void truncatedTo(long logStartOffset) {
        if (logStartOffset <= trimmedTo) {
            return;
        }
        trimmedTo = logStartOffset;
        if (aborted.removeIf(a -> a.markerOffset() < logStartOffset)) {
            abortedChanged = true;
        }
    }
}
