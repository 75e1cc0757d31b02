package io.wharf.storage.cursor;

import java.util.Arrays;
import java.util.List;

/**
 * The durable position of one consumer in one log.
 *
 * <p>A queue's consumers acknowledge messages individually and out of order: everything below
 * {@code markDelete} is acknowledged, and {@code acked} lists the acknowledged ranges above it.
 * A stream's consumer group commits a single offset with optional metadata instead.
 *
 * @param name            the cursor's name
 * @param markDelete      every offset below it is acknowledged
 * @param acked           acknowledged ranges above {@code markDelete}, sorted and disjoint
 * @param committedOffset the last committed offset, or -1 if none was committed
 * @param metadata        the metadata committed with it, or null
 */
public record CursorState(String name, long markDelete, List<OffsetRangeSet.Range> acked,
                          long committedOffset, byte[] metadata) {

    /** Whether {@code offset} has been acknowledged. */
    public boolean isAcked(long offset) {
        if (offset < markDelete) {
            return true;
        }
        for (OffsetRangeSet.Range r : acked) {
            if (offset >= r.first() && offset <= r.last()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CursorState c && name.equals(c.name) && markDelete == c.markDelete
                && acked.equals(c.acked) && committedOffset == c.committedOffset && Arrays.equals(metadata, c.metadata);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(markDelete);
    }

    @Override
    public String toString() {
        return "CursorState[" + name + ", markDelete=" + markDelete + ", acked=" + acked
                + ", committed=" + committedOffset + "]";
    }
}
