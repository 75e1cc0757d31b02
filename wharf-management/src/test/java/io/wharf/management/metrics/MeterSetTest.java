package io.wharf.management.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MeterSetTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MeterSet<AtomicLong> set = new MeterSet<>(registry, (tags, target) -> List.<Meter>of(
            Gauge.builder("depth", target, AtomicLong::get).tags(tags).register(registry)));

    private double depth(String queue) {
        return registry.get("depth").tags("queue", queue).gauge().value();
    }

    @Test
    void shouldRegisterNewObjectsAndRemoveThoseGone() {
        AtomicLong a = new AtomicLong(1);
        AtomicLong b = new AtomicLong(2);

        assertThat(set.sync(Map.of(Tags.of("queue", "a"), a, Tags.of("queue", "b"), b))).isTrue();
        assertThat(set.sync(Map.of(Tags.of("queue", "a"), a, Tags.of("queue", "b"), b))).isFalse();
        assertThat(depth("b")).isEqualTo(2);

        assertThat(set.sync(Map.of(Tags.of("queue", "a"), a))).isTrue();
        assertThat(registry.find("depth").gauges()).hasSize(1);
        assertThat(depth("a")).isEqualTo(1);
    }

    @Test
    void shouldMeasureTheNewObjectWhenItsTagsNowNameAnother() {
        set.sync(Map.of(Tags.of("queue", "a"), new AtomicLong(7)));

        assertThat(set.sync(Map.of(Tags.of("queue", "a"), new AtomicLong(0)))).isTrue();

        assertThat(depth("a")).isZero();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void shouldNotKeepAMeasuredObjectAlive() {
        AtomicLong target = new AtomicLong(3);
        WeakReference<AtomicLong> ref = new WeakReference<>(target);
        set.sync(Map.of(Tags.of("queue", "a"), target));
        target = null;

        await().atMost(10, TimeUnit.SECONDS).until(() -> {
            System.gc();
            return ref.get() == null;
        });
        assertThat(set.sync(Map.of())).isTrue();
        assertThat(registry.find("depth").gauges()).isEmpty();
    }

    @Test
    void shouldRemoveEveryMeterOnClear() {
        set.sync(Map.of(Tags.of("queue", "a"), new AtomicLong(), Tags.of("queue", "b"), new AtomicLong()));

        set.clear();

        assertThat(registry.getMeters()).isEmpty();
        assertThat(set.size()).isZero();
    }
}
