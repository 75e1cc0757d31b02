package io.wharf.core.stream;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * What an idempotent producer last wrote to one partition: its epoch and its latest batches'
 * sequence ranges with the offsets they got, so a retried batch is recognised and answered with
 * its first offset instead of being written twice, and a gap in the sequence is refused.
 *
 * <p>Not thread-safe: the partition calls it under its append lock.
 */
final class ProducerSequences {

    /** Batches remembered per producer; Kafka clients keep at most five in flight per partition. */
    private static final int REMEMBERED = 5;

    record Written(int firstSequence, int lastSequence, long baseOffset) {
    }

    private record State(short epoch, ArrayDeque<Written> recent) {
    }

    private final Map<Long, State> producers = new HashMap<>();

    /** The outcome of checking one batch. */
    sealed interface Check permits Fresh, Duplicate, OutOfOrder, Fenced {
    }

    record Fresh() implements Check {
    }

    record Duplicate(long baseOffset) implements Check {
    }

    record OutOfOrder(int expected) implements Check {
    }

    record Fenced(short currentEpoch) implements Check {
    }

    Check check(long producerId, short epoch, int firstSequence, int lastSequence) {
        State s = producers.get(producerId);
        if (s == null || epoch > s.epoch()) {
            // A new producer or a bumped epoch starts its sequence afresh; Kafka requires 0 then,
            // but a producer whose state a restart forgot may continue where it was.
            return new Fresh();
        }
        if (epoch < s.epoch()) {
            return new Fenced(s.epoch());
        }
        for (Written w : s.recent()) {
            if (w.firstSequence() == firstSequence && w.lastSequence() == lastSequence) {
                return new Duplicate(w.baseOffset());
            }
        }
        if (s.recent().isEmpty()) {
            return new Fresh();
        }
        // Sequences wrap from Integer.MAX_VALUE to 0, as Kafka's do.
        int last = s.recent().peekLast().lastSequence();
        int expected = last == Integer.MAX_VALUE ? 0 : last + 1;
        return firstSequence == expected ? new Fresh() : new OutOfOrder(expected);
    }

    void forget(long producerId, int firstSequence, long baseOffset) {
        State s = producers.get(producerId);
        if (s != null) {
            s.recent().removeIf(w -> w.firstSequence() == firstSequence && w.baseOffset() == baseOffset);
        }
    }

    /**
     * A transaction marker of {@code epoch} was written for the producer: an older epoch is fenced
     * from now on, and a newer one starts its sequence afresh.
     */
    void fence(long producerId, short epoch) {
        State s = producers.get(producerId);
        if (s == null || epoch > s.epoch()) {
            producers.put(producerId, new State(epoch, new ArrayDeque<>()));
        }
    }

    void written(long producerId, short epoch, int firstSequence, int lastSequence, long baseOffset) {
        State s = producers.get(producerId);
        if (s == null || epoch > s.epoch()) {
            s = new State(epoch, new ArrayDeque<>());
            producers.put(producerId, s);
        }
        s.recent().addLast(new Written(firstSequence, lastSequence, baseOffset));
        while (s.recent().size() > REMEMBERED) {
            s.recent().pollFirst();
        }
    }
}
