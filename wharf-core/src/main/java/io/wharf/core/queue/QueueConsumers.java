package io.wharf.core.queue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A queue's consumers and the choice of the next one a message goes to: round robin among the
 * consumers of the highest priority that have room for it, then the next priority down; or, for a
 * single-active-consumer queue, only the active one, which the next in line replaces when it goes.
 *
 * <p>Not thread-safe: it belongs to its queue's owner.
 */
final class QueueConsumers {

    private final boolean singleActive;
    // By priority, highest first; in the order they came within a priority.
    private final List<ConsumerSpec> consumers = new ArrayList<>();
    private ConsumerSpec active;
    private int roundRobin;
    private boolean hadConsumers;

    QueueConsumers(boolean singleActive) {
        this.singleActive = singleActive;
    }

    /** Adds a consumer; false if the queue is in exclusive use (by an existing consumer, or one that asks for it). */
    boolean add(ConsumerSpec spec) {
        boolean exclusiveTaken = consumers.stream().anyMatch(ConsumerSpec::exclusive);
        if (exclusiveTaken || (spec.exclusive() && !consumers.isEmpty())) {
            return false;
        }
        consumers.add(spec);
        consumers.sort(Comparator.comparingInt(ConsumerSpec::priority).reversed());
        if (singleActive && active == null) {
            active = spec;
        }
        hadConsumers = true;
        return true;
    }

    /** Removes the consumer with {@code tag}; false if there is none. */
    boolean remove(String tag) {
        int found = -1;
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).tag().equals(tag)) {
                found = i;
            }
        }
        if (found < 0) {
            return false;
        }
        ConsumerSpec gone = consumers.remove(found);
        if (active == gone) {
            active = consumers.isEmpty() ? null : consumers.get(0);
        }
        return true;
    }

    /** The consumer the next message of {@code bodyBytes} goes to, its room reserved; null if none has room. */
    ConsumerSpec pick(int bodyBytes) {
        if (singleActive) {
            return active != null && active.consumer().reserve(bodyBytes) ? active : null;
        }
        int n = consumers.size();
        int i = 0;
        while (i < n) {
            int priority = consumers.get(i).priority();
            int groupEnd = i;
            while (groupEnd < n && consumers.get(groupEnd).priority() == priority) {
                groupEnd++;
            }
            int size = groupEnd - i;
            for (int k = 0; k < size; k++) {
                ConsumerSpec c = consumers.get(i + Math.floorMod(roundRobin + k, size));
                if (c.consumer().reserve(bodyBytes)) {
                    roundRobin = roundRobin + k + 1;
                    return c;
                }
            }
            i = groupEnd;
        }
        return null;
    }

    /** Removes every consumer; returns them. */
    List<ConsumerSpec> clear() {
        List<ConsumerSpec> all = List.copyOf(consumers);
        consumers.clear();
        active = null;
        return all;
    }

    List<ConsumerSpec> all() {
        return List.copyOf(consumers);
    }

    boolean isEmpty() {
        return consumers.isEmpty();
    }

    int size() {
        return consumers.size();
    }

    /** Whether the queue ever had a consumer: an auto-delete queue goes only after its last one. */
    boolean hadConsumers() {
        return hadConsumers;
    }
}
