package io.wharf.storage.log;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The fenced-off ranges of one segment, in file order. Damage is rare and each segment holds a
 * handful of ranges at most, so lookups walk a small immutable list that readers take without
 * locking; the few additions copy it.
 *
 * <p>Threading: any thread may look up; additions are serialised on this object.
 */
final class Fences {

    private volatile List<Fence> ranges = List.of();

    /** The range holding {@code position}, or null. */
    Fence covering(int position) {
        for (Fence f : ranges) {
            if (f.covers(position)) {
                return f;
            }
        }
        return null;
    }

    /** The first range that overlaps [from, to), or null. */
    Fence firstOverlapping(int from, int to) {
        for (Fence f : ranges) {
            if (f.overlaps(from, to)) {
                return f;
            }
        }
        return null;
    }

    /** Adds a range unless it overlaps one already known; returns whether it was added. */
    synchronized boolean add(Fence fence) {
        if (firstOverlapping(fence.start(), fence.end()) != null) {
            return false;
        }
        List<Fence> next = new ArrayList<>(ranges);
        next.add(fence);
        next.sort(Comparator.comparingInt(Fence::start));
        ranges = List.copyOf(next);
        return true;
    }

    /** Forgets a range, as when recovery cuts the bytes it covered off the file. */
    synchronized void remove(Fence fence) {
        List<Fence> next = new ArrayList<>(ranges);
        next.remove(fence);
        ranges = List.copyOf(next);
    }

    List<Fence> all() {
        return ranges;
    }
}
