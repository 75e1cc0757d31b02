package io.wharf.core.queue;

import io.wharf.core.message.MalformedDataException;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageRecords;
import io.wharf.storage.StorageException;
import io.wharf.storage.cursor.CursorState;
import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.cursor.OffsetRangeSet;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.record.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One priority level of a queue: a log of its messages and where each offset stands. An offset is
 * ready and new (at or after {@link #next}, not done), delivered and unacknowledged (before
 * {@code next}, neither done nor returned), returned to ready after a delivery, or done
 * (acknowledged or removed). Done offsets are the cursor the queue persists; everything else is
 * rebuilt from the log at start-up.
 *
 * <p>Memory does not grow with depth: only counters, the done and returned ranges, and a bounded
 * cache of messages not yet delivered are held. Confined to the queue's thread.
 */
final class Lane {

    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    private static final int READ_AHEAD_BYTES = 256 * 1024;
    // One deep queue may take a quarter of the shared cache, so that others still find room.
    private static final int LANE_SHARE_OF_CACHE = 4;
    private static final int DELIVERY_WATERMARK_STEP = 1024;

    final int priority;
    final Log log;
    private final String cursor;
    private final CursorStore cursors;
    private final AtomicLong sharedCacheBytes;
    private final long sharedCacheLimit;
    private final long laneCacheLimit;

    private final OffsetRangeSet done = new OffsetRangeSet();
    // Done offsets not yet told to the cursor store: a run's acknowledgements go as a few ranges.
    private final OffsetRangeSet unsaved = new OffsetRangeSet();
    private final OffsetRangeSet returned = new OffsetRangeSet();
    private final TreeMap<Long, Message> cache = new TreeMap<>();
    private long cacheBytes;
    private long markDelete;
    private long next;
    // Offsets are assigned when a batch is appended, a moment before the writer has written it.
    private long appendedEnd;
    private long redeliveredBelow;
    private long watermarkReserved;
    long readyCount;
    long readyBytes;

    /**
     * @param cursor the cursor name under which done offsets persist, or null for a queue that
     *               does not survive a restart
     */
    Lane(int priority, Log log, String cursor, CursorStore cursors, AtomicLong sharedCacheBytes, long sharedCacheLimit) {
        this.priority = priority;
        this.log = log;
        this.cursor = cursor;
        this.cursors = cursors;
        this.sharedCacheBytes = sharedCacheBytes;
        this.sharedCacheLimit = sharedCacheLimit;
        this.laneCacheLimit = sharedCacheLimit / LANE_SHARE_OF_CACHE;
        this.markDelete = log.startOffset();
        this.next = markDelete;
        this.appendedEnd = log.endOffset();
    }

    /**
     * Rebuilds the lane from its cursor and log after a restart: counts the ready messages, drops
     * transient ones (they do not survive a restart), marks offsets that hold no message (damage
     * the log skips, offsets it left empty) as done, and marks what may have been delivered before
     * as redelivered.
     */
    void recover() {
        CursorState state = cursor == null ? null : cursors.get(cursor).orElse(null);
        long start = log.startOffset();
        if (state != null) {
            start = Math.max(start, state.markDelete());
            for (OffsetRangeSet.Range r : state.acked()) {
                done.add(r.first(), r.last());
            }
            redeliveredBelow = Math.max(state.committedOffset(), 0);
        }
        markDelete = start;
        next = start;
        watermarkReserved = redeliveredBelow;
        long end = log.endOffset();
        appendedEnd = end;
        long offset = start;
        long dropped = 0;
        while (offset < end) {
            try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                for (Record r : s.records()) {
                    if (r.offset() > offset) {
                        markDone(offset, r.offset() - 1);
                    }
                    offset = r.offset() + 1;
                    if (done.contains(r.offset())) {
                        continue;
                    }
                    Message m;
                    try {
                        m = MessageRecords.read(r);
                    } catch (MalformedDataException e) {
                        LOG.error("{}: message at offset {} cannot be read and is dropped: {}", log.name(), r.offset(), e.getMessage());
                        markDone(r.offset());
                        continue;
                    }
                    if (!m.persistent()) {
                        markDone(r.offset());
                        dropped++;
                        continue;
                    }
                    readyCount++;
                    readyBytes += m.bodySize();
                }
                if (s.nextOffset() > offset) {
                    markDone(offset, s.nextOffset() - 1);
                    offset = s.nextOffset();
                }
            }
        }
        advanceMarkDelete();
        if (dropped > 0) {
            LOG.info("{}: dropped {} transient message(s) left from before the restart", log.name(), dropped);
        }
    }

    /** Registers messages just appended at {@code baseOffset}.. as ready and keeps them in memory if there is room. */
    void appended(long offset, Message m) {
        appendedEnd = Math.max(appendedEnd, offset + 1);
        if (hasCacheRoom()) {
            cache.put(offset, m);
            charge(m.bodySize());
        }
    }

    /**
     * Puts {@code m}, whose append is written, on the heap if the cache still holds it: its body
     * was borrowed from the buffer it arrived in, which is not kept for a message that waits.
     */
    void keepOnHeap(long offset, Message m) {
        if (cache.get(offset) == m) {
            cache.put(offset, m.onHeap());
        }
    }

    /**
     * An append that failed: the offset never holds a message. If it was still waiting to be
     * delivered it leaves the ready count; if it was delivered already, the consumer's ack or
     * return finds nothing to read and is harmless.
     */
    void appendFailed(long offset, int bodySize) {
        uncache(offset);
        if (offset >= next && !done.contains(offset)) {
            readyCount--;
            readyBytes -= bodySize;
            done.add(offset);
            advanceMarkDelete();
        }
    }

    /** The offset of the next ready message, or -1: returned ones first, in offset order. */
    long headOffset() {
        if (!returned.isEmpty()) {
            return returned.range(0).first();
        }
        long end = appendedEnd;
        // Everything below the mark is done, and done forgets it.
        if (next < markDelete) {
            next = markDelete;
        }
        while (next < end && done.contains(next)) {
            next = done.firstAbsentFrom(next);
        }
        return next < end ? next : -1;
    }

    /**
     * Whether the message at {@code offset} can be read now: it is in memory, or the writer has
     * written it. One appended but neither cached nor written yet becomes readable when its append
     * completes.
     */
    boolean readable(long offset) {
        return cache.containsKey(offset) || offset < log.endOffset();
    }

    boolean headIsReturned() {
        return !returned.isEmpty();
    }

    /**
     * The message at {@code offset}, from memory or the log; null if the log holds nothing there
     * (a gap left by a failed append, or damage).
     */
    Message read(long offset) {
        Message m = cache.get(offset);
        if (m != null) {
            return m;
        }
        try (LogSlice s = log.read(offset, READ_AHEAD_BYTES, Log.ReadBound.WRITTEN)) {
            Message found = null;
            for (Record r : s.records()) {
                long o = r.offset();
                if (o == offset) {
                    found = MessageRecords.read(r);
                } else if (o > offset && o >= next && !done.contains(o) && !cache.containsKey(o)) {
                    // What follows the head is read ahead even when the cache is full of newer
                    // messages: it is needed next, and reading the slice again for each message
                    // would cost a whole slice per delivery. At most one slice over the budget.
                    Message ahead = MessageRecords.read(r);
                    cache.put(o, ahead);
                    charge(ahead.bodySize());
                }
            }
            return found;
        } catch (MalformedDataException | StorageException e) {
            LOG.error("{}: message at offset {} cannot be read: {}", log.name(), offset, e.getMessage());
            return null;
        }
    }

    /** Takes the head (from {@link #headOffset()}) out of ready: it is being delivered or removed. */
    void takeHead(long offset, int bodySize) {
        if (!returned.isEmpty() && returned.range(0).first() == offset) {
            returned.removeBelow(offset + 1);
        } else {
            next = offset + 1;
        }
        uncache(offset);
        readyCount--;
        readyBytes -= bodySize;
    }

    /** Whether a delivery of {@code offset} may be a repeat. */
    boolean redelivered(long offset, boolean fromReturned) {
        return fromReturned || offset < redeliveredBelow;
    }

    /**
     * Records that deliveries have reached {@code next}, so that after a crash the messages
     * before it count as redelivered. Written ahead in steps, without waiting for the disk.
     */
    void noteDelivered() {
        if (cursor != null && next > watermarkReserved) {
            watermarkReserved = next + DELIVERY_WATERMARK_STEP;
            cursors.commit(cursor, watermarkReserved, null);
        }
    }

    /** Puts a delivered, unacknowledged message back, ahead of new ones. */
    void returnToReady(long offset, int bodySize) {
        returned.add(offset);
        readyCount++;
        readyBytes += bodySize;
    }

    /** The message at {@code offset} is acknowledged or removed for good. */
    void markDone(long offset) {
        markDone(offset, offset);
    }

    /** Every offset in [first, last] is done, as when it holds no message. */
    private void markDone(long first, long last) {
        done.add(first, last);
        if (cursor != null) {
            unsaved.add(first, last);
        }
        advanceMarkDelete();
    }

    /**
     * Hands this run's done offsets to the cursor store, as ranges: only those the log already
     * holds durably. A power cut can cost the log a tail it had not forced, and a later append
     * reuses those offsets; a saved acknowledgement of one would make the new message count as
     * done. The rest wait for a later call; those still waiting at a stop are delivered again.
     */
    void saveCursor() {
        if (unsaved.isEmpty()) {
            return;
        }
        long durable = log.durableEndOffset();
        for (OffsetRangeSet.Range r : unsaved.ranges()) {
            if (r.first() >= durable) {
                break;
            }
            cursors.ack(cursor, r.first(), Math.min(r.last(), durable - 1));
        }
        unsaved.removeBelow(durable);
    }

    /** Removes every ready message; returns how many there were. */
    long purge() {
        long count = readyCount;
        long end = appendedEnd;
        for (OffsetRangeSet.Range r : returned.ranges()) {
            done.add(r.first(), r.last());
            if (cursor != null) {
                unsaved.add(r.first(), r.last());
            }
        }
        returned.clear();
        if (next < end) {
            done.add(next, end - 1);
            if (cursor != null) {
                unsaved.add(next, end - 1);
            }
            next = end;
        }
        for (Map.Entry<Long, Message> e : cache.entrySet()) {
            discharge(e.getValue().bodySize());
        }
        cache.clear();
        readyCount = 0;
        readyBytes = 0;
        advanceMarkDelete();
        return count;
    }

    private void advanceMarkDelete() {
        long m = done.firstAbsentFrom(markDelete);
        if (m > markDelete) {
            markDelete = m;
            done.removeBelow(m);
            try {
                log.deleteSegmentsBefore(markDelete);
            } catch (IOException | StorageException e) {
                LOG.warn("{}: cannot delete acknowledged segments yet: {}", log.name(), e.toString());
            }
        }
    }

    private boolean hasCacheRoom() {
        return cacheBytes < laneCacheLimit && sharedCacheBytes.get() < sharedCacheLimit;
    }

    private void uncache(long offset) {
        Message m = cache.remove(offset);
        if (m != null) {
            discharge(m.bodySize());
        }
    }

    private void charge(int bytes) {
        cacheBytes += bytes;
        sharedCacheBytes.addAndGet(bytes);
    }

    private void discharge(int bytes) {
        cacheBytes -= bytes;
        sharedCacheBytes.addAndGet(-bytes);
    }

    /** Drops the memory cache, as when the queue is deleted. */
    void clearCache() {
        for (Message m : cache.values()) {
            discharge(m.bodySize());
        }
        cache.clear();
    }
}
