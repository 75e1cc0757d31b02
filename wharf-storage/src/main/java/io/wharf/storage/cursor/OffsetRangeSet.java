package io.wharf.storage.cursor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of log offsets kept as sorted, disjoint, non-adjacent ranges: sixteen bytes per gap,
 * whatever the number of offsets. Acknowledgements arrive roughly in order, so even millions of
 * them usually collapse into a handful of ranges.
 *
 * <p>Not thread-safe.
 */
public final class OffsetRangeSet {

    /** An inclusive range of offsets. */
    public record Range(long first, long last) {
        public Range {
            if (last < first) {
                throw new IllegalArgumentException("empty range [" + first + ", " + last + "]");
            }
        }

        public long count() {
            return last - first + 1;
        }
    }

    private long[] starts = new long[4];
    private long[] ends = new long[4];
    private int size;

    /** Adds every offset in [first, last]. */
    public void add(long first, long last) {
        if (last < first) {
            throw new IllegalArgumentException("empty range [" + first + ", " + last + "]");
        }
        // i: first range that ends at or after first - 1 (touches or follows the new one)
        int i = firstEndingAtOrAfter(first == Long.MIN_VALUE ? first : first - 1);
        // j: last range that starts at or before last + 1
        int j = lastStartingAtOrBefore(last == Long.MAX_VALUE ? last : last + 1);
        if (i > j) {
            insertAt(i, first, last);
            return;
        }
        long s = Math.min(starts[i], first);
        long e = Math.max(ends[j], last);
        starts[i] = s;
        ends[i] = e;
        int removed = j - i;
        if (removed > 0) {
            System.arraycopy(starts, j + 1, starts, i + 1, size - j - 1);
            System.arraycopy(ends, j + 1, ends, i + 1, size - j - 1);
            size -= removed;
        }
    }

    public void add(long offset) {
        add(offset, offset);
    }

    public boolean contains(long offset) {
        int j = lastStartingAtOrBefore(offset);
        return j >= 0 && ends[j] >= offset;
    }

    /** Drops every offset below {@code offset}. */
    public void removeBelow(long offset) {
        int i = firstEndingAtOrAfter(offset);
        if (i > 0) {
            System.arraycopy(starts, i, starts, 0, size - i);
            System.arraycopy(ends, i, ends, 0, size - i);
            size -= i;
        }
        if (size > 0 && starts[0] < offset) {
            starts[0] = offset;
        }
    }

    /** The first offset at or after {@code from} that is not in the set. */
    public long firstAbsentFrom(long from) {
        int j = lastStartingAtOrBefore(from);
        if (j >= 0 && ends[j] >= from) {
            return ends[j] + 1;
        }
        return from;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int rangeCount() {
        return size;
    }

    /** Number of offsets in the set. */
    public long offsetCount() {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n += ends[i] - starts[i] + 1;
        }
        return n;
    }

    public Range range(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return new Range(starts[index], ends[index]);
    }

    public List<Range> ranges() {
        List<Range> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new Range(starts[i], ends[i]));
        }
        return out;
    }

    public OffsetRangeSet copy() {
        OffsetRangeSet c = new OffsetRangeSet();
        c.starts = Arrays.copyOf(starts, Math.max(4, size));
        c.ends = Arrays.copyOf(ends, Math.max(4, size));
        c.size = size;
        return c;
    }

    public void clear() {
        size = 0;
    }

    private int firstEndingAtOrAfter(long v) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int lastStartingAtOrBefore(long v) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    private void insertAt(int i, long s, long e) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
        }
        System.arraycopy(starts, i, starts, i + 1, size - i);
        System.arraycopy(ends, i, ends, i + 1, size - i);
        starts[i] = s;
        ends[i] = e;
        size++;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OffsetRangeSet other && ranges().equals(other.ranges());
    }

    @Override
    public int hashCode() {
        return ranges().hashCode();
    }

    @Override
    public String toString() {
        return ranges().toString();
    }
}
