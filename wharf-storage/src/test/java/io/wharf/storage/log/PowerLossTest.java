package io.wharf.storage.log;

import io.wharf.storage.file.FaultyFileChannels;
import io.wharf.storage.metadata.MetadataStore;
import io.wharf.storage.record.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.wharf.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Power cuts while appends and definition changes run: every write no fsync had covered is undone
 * (storage's fault injection), the storage opens again, and every append and change whose future
 * had completed is there, intact, at its offset; no offset is handed out twice.
 * {@code -Dwharf.powerloss.cycles=N} runs more cuts.
 */
class PowerLossTest {

    private static final int WRITERS = 3;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedAppendAndChangeThroughPowerCuts() throws Exception {
        int cycles = Integer.getInteger("wharf.powerloss.cycles", 15);
        long seed = Long.getLong("wharf.powerloss.seed", System.nanoTime());
        Random random = new Random(seed);
        LogConfig config = LogConfig.DEFAULT.withSegmentBytes(64 * 1024);
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        Map<String, String> changed = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong cutShort = new java.util.concurrent.atomic.AtomicLong();

        for (int cycle = 0; cycle < cycles; cycle++) {
            FaultyFileChannels disk = new FaultyFileChannels();
            LogEnvironment env = LogEnvironment.builder().channels(disk).build();
            Log log = Log.open("p", dir.resolve("log"), config, env);
            MetadataStore metadata = MetadataStore.open(dir.resolve("metadata"), env);

            checkEverythingAcknowledgedIsThere(log, metadata, acknowledged, changed, seed);

            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int thread = t;
                int c = cycle;
                writers.add(Thread.ofPlatform().name("power-writer-" + t).start(() -> {
                    for (long seq = 0; running.get(); seq++) {
                        String value = "c" + c + "t" + thread + "s" + seq;
                        try {
                            PendingAppend p = log.append(batch(seq, value));
                            p.future().whenComplete((r, e) -> {
                                if (e == null) {
                                    acknowledged.put(r.baseOffset(), value);
                                } else {
                                    cutShort.incrementAndGet();
                                }
                            });
                            if (thread == 0) {
                                String key = "k" + c + "-" + seq;
                                metadata.put(key, value.getBytes(StandardCharsets.UTF_8)).thenRun(() -> changed.put(key, value));
                            }
                        } catch (RuntimeException storageStopped) {
                            return;
                        }
                    }
                }));
            }
            Thread.sleep(20 + random.nextInt(200));
            disk.powerCut();
            running.set(false);
            for (Thread w : writers) {
                w.join(TimeUnit.SECONDS.toMillis(30));
            }
            env.close();
        }
        try (LogEnvironment env = LogEnvironment.builder().build()) {
            Log log = Log.open("p", dir.resolve("log"), config, env);
            MetadataStore metadata = MetadataStore.open(dir.resolve("metadata"), env);
            checkEverythingAcknowledgedIsThere(log, metadata, acknowledged, changed, seed);
            assertThat(acknowledged).as("appends acknowledged over all cuts (seed %d)", seed).hasSizeGreaterThan(cycles);
            assertThat(cutShort.get()).as("appends the cuts caught in flight (seed %d)", seed).isPositive();
            metadata.close();
            log.close();
        }
    }

    private static void checkEverythingAcknowledgedIsThere(Log log, MetadataStore metadata, Map<Long, String> acknowledged,
                                                           Map<String, String> changed, long seed) {
        List<Record> all = LogTestSupport.readAll(log, 0, Log.ReadBound.WRITTEN);
        Set<Long> offsets = new HashSet<>();
        Map<Long, String> found = new java.util.HashMap<>();
        for (Record r : all) {
            assertThat(offsets.add(r.offset())).as("offset %d read once (seed %d)", r.offset(), seed).isTrue();
            found.put(r.offset(), LogTestSupport.value(r));
        }
        acknowledged.forEach((offset, value) ->
                assertThat(found.get(offset)).as("acknowledged append at offset %d (seed %d)", offset, seed).isEqualTo(value));
        assertThat(log.damage()).as("damage after power cuts (seed %d)", seed).isEmpty();
        changed.forEach((key, value) -> assertThat(metadata.get(key)).as("acknowledged change of %s (seed %d)", key, seed)
                .hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo(value)));
    }
}
