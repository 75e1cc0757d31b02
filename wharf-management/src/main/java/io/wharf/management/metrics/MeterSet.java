package io.wharf.management.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The meters of objects that come and go (queues, stream partitions, consumer groups, kinds of
 * refused frame), kept equal to the objects that exist now: {@link #sync} registers meters for new
 * objects and removes those of objects that are gone.
 *
 * <p>Objects are told apart by their tags. A tag set that now names a different object (a queue
 * deleted and declared again under its name) gets fresh meters, since the old ones read the old
 * object. Only weak references to the objects are kept, here and in the meters, so a deleted
 * queue is never kept alive by its metrics.
 *
 * <p>Not thread-safe: callers serialise {@link #sync} and {@link #clear}.
 *
 * @param <T> the kind of object measured
 */
final class MeterSet<T> {

    private record Entry(WeakReference<Object> target, List<Meter> meters) {
    }

    private final MeterRegistry registry;
    private final BiFunction<Tags, T, List<Meter>> register;
    private final Map<Tags, Entry> current = new HashMap<>();

    /**
     * @param register registers the meters of one object with the given tags and returns them;
     *                 the meters' functions must reach the object only through the meter's own
     *                 (weak) reference, never by capturing it
     */
    MeterSet(MeterRegistry registry, BiFunction<Tags, T, List<Meter>> register) {
        this.registry = registry;
        this.register = register;
    }

    /**
     * Makes the registered meters those of exactly {@code present}.
     *
     * @return whether any meter was added or removed
     */
    boolean sync(Map<Tags, T> present) {
        boolean changed = false;
        for (Iterator<Map.Entry<Tags, Entry>> it = current.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Tags, Entry> e = it.next();
            T now = present.get(e.getKey());
            if (now == null || e.getValue().target().get() != now) {
                e.getValue().meters().forEach(registry::remove);
                it.remove();
                changed = true;
            }
        }
        for (Map.Entry<Tags, T> e : present.entrySet()) {
            if (!current.containsKey(e.getKey())) {
                List<Meter> meters = List.copyOf(register.apply(e.getKey(), e.getValue()));
                current.put(e.getKey(), new Entry(new WeakReference<>(e.getValue()), meters));
                changed = true;
            }
        }
        return changed;
    }

    /** Removes every meter of the set. */
    void clear() {
        current.values().forEach(e -> e.meters().forEach(registry::remove));
        current.clear();
    }

    /** How many objects are measured now. */
    int size() {
        return current.size();
    }

    /** The value of one of the tags an object is known by. */
    static String tag(Tags tags, String key) {
        return tags.stream().filter(t -> t.getKey().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no tag " + key + " in " + tags)).getValue();
    }
}
