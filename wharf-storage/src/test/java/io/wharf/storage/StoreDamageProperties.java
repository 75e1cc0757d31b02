package io.wharf.storage;

import io.wharf.storage.cursor.CursorState;
import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.cursor.OffsetRangeSet;
import io.wharf.storage.file.Directories;
import io.wharf.storage.log.LogEnvironment;
import io.wharf.storage.log.RecoveryReport;
import io.wharf.storage.metadata.MetadataStore;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random damage to the files of the metadata and cursor stores (their journals, the journals'
 * checkpoints and indexes, and both snapshots), after a clean close and after a crash: the store
 * opens, holds nothing that was never written, holds exactly what was written when the damage
 * spared the journal and one snapshot, and keeps changes made after the damage.
 */
class StoreDamageProperties {

    private static final String[] FILES = {".log", ".index", ".timeindex", "log.checkpoint", "snapshot", "snapshot.previous"};

    @Provide
    Arbitrary<List<FileDamage>> damage() {
        return FileDamage.any().list().ofMinSize(1).ofMaxSize(3);
    }

    /**
     * Whether the damage may have cost acknowledged changes, so that the state may lag: damage the
     * journal reported, both snapshots damaged, or, after a crash, a journal segment hit at all.
     * After a crash the newest segment's tail beyond the last checkpoint cannot be told from a torn
     * write, so damage there is cut off as one.
     */
    private static boolean mayHaveLost(RecoveryReport journal, boolean journalDamaged, boolean clean,
                                       Set<String> damagedFiles) {
        return journalDamaged || !journal.truncations().isEmpty()
                || (!clean && damagedFiles.stream().anyMatch(f -> f.endsWith(".log")))
                || (damagedFiles.contains("snapshot") && damagedFiles.contains("snapshot.previous"));
    }

    private static Set<String> applyAll(List<FileDamage> damage, Path dir) throws Exception {
        Set<String> hit = new HashSet<>();
        for (FileDamage d : damage) {
            Path p = d.applyTo(FileDamage.filesIn(dir, FILES));
            if (p != null) {
                hit.add(p.getFileName().toString());
            }
        }
        return hit;
    }

    @Property
    void metadataShouldHoldOnlyWhatWasWritten(@ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 7) Integer> keys,
                                              @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 59) Integer> compactions,
                                              @ForAll boolean clean,
                                              @ForAll("damage") List<FileDamage> damage) throws Exception {
        Path dir = Files.createTempDirectory("metadata-damage");
        try {
            Map<String, Set<String>> written = new HashMap<>();
            Map<String, String> last = new HashMap<>();
            LogEnvironment env = LogEnvironment.builder().writerThreads(1).build();
            MetadataStore store = MetadataStore.open(dir, env, 1L << 30);
            for (int i = 0; i < keys.size(); i++) {
                String k = "k" + keys.get(i);
                String v = "v" + i;
                store.put(k, v.getBytes(StandardCharsets.UTF_8)).get();
                written.computeIfAbsent(k, x -> new HashSet<>()).add(v);
                last.put(k, v);
                if (compactions.contains(i)) {
                    store.compact();
                }
            }
            if (clean) {
                store.close();
            }
            env.close();
            Set<String> hit = applyAll(damage, dir);

            try (LogEnvironment env2 = LogEnvironment.builder().writerThreads(1).build()) {
                MetadataStore reopened = MetadataStore.open(dir, env2, 1L << 30);
                Map<String, String> state = new HashMap<>();
                reopened.scan("").forEach((k, v) -> state.put(k, new String(v, StandardCharsets.UTF_8)));

                state.forEach((k, v) -> assertThat(written.get(k)).as("values written to %s", k).contains(v));
                if (!mayHaveLost(reopened.recoveryReport(), !reopened.damage().isEmpty(), clean, hit)) {
                    assertThat(state).isEqualTo(last);
                }
                reopened.put("after", "damage".getBytes(StandardCharsets.UTF_8)).get();
                reopened.close();
                MetadataStore again = MetadataStore.open(dir, env2, 1L << 30);
                assertThat(again.get("after")).isPresent();
                again.close();
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    @Property
    void cursorsShouldHoldOnlyWhatWasAcknowledged(@ForAll @Size(min = 1, max = 80) List<@IntRange(min = 0, max = 200) Integer> acks,
                                                  @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 79) Integer> compactions,
                                                  @ForAll boolean clean,
                                                  @ForAll("damage") List<FileDamage> damage) throws Exception {
        Path dir = Files.createTempDirectory("cursor-damage");
        try {
            Map<String, BitSet> acked = new HashMap<>();
            LogEnvironment env = LogEnvironment.builder().writerThreads(1).build();
            CursorStore store = CursorStore.open(dir, env, 1L << 30);
            for (int i = 0; i < acks.size(); i++) {
                String cursor = "c" + (i % 3);
                int offset = acks.get(i);
                store.ack(cursor, offset).get();
                acked.computeIfAbsent(cursor, x -> new BitSet()).set(offset);
                if (compactions.contains(i)) {
                    store.compact();
                }
            }
            if (clean) {
                store.close();
            }
            env.close();
            Set<String> hit = applyAll(damage, dir);

            try (LogEnvironment env2 = LogEnvironment.builder().writerThreads(1).build()) {
                CursorStore reopened = CursorStore.open(dir, env2, 1L << 30);
                Map<String, CursorState> state = reopened.all();

                for (Map.Entry<String, CursorState> e : state.entrySet()) {
                    BitSet model = acked.get(e.getKey());
                    assertThat(model).as("cursor %s was written", e.getKey()).isNotNull();
                    assertThat(ackedIn(e.getValue())).as("acknowledged by %s", e.getKey()).isSubsetOf(offsets(model));
                }
                if (!mayHaveLost(reopened.recoveryReport(), !reopened.damage().isEmpty(), clean, hit)) {
                    assertThat(state.keySet()).isEqualTo(acked.keySet());
                    state.forEach((name, s) -> assertThat(ackedIn(s)).isEqualTo(offsets(acked.get(name))));
                }
                reopened.ack("after", 7).get();
                reopened.close();
                CursorStore again = CursorStore.open(dir, env2, 1L << 30);
                assertThat(again.get("after")).hasValueSatisfying(s -> assertThat(ackedIn(s)).containsExactly(7L));
                again.close();
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    private static Set<Long> ackedIn(CursorState s) {
        Set<Long> out = new HashSet<>();
        for (long o = 0; o < s.markDelete(); o++) {
            out.add(o);
        }
        for (OffsetRangeSet.Range r : s.acked()) {
            for (long o = r.first(); o <= r.last(); o++) {
                out.add(o);
            }
        }
        return out;
    }

    private static Set<Long> offsets(BitSet bits) {
        Set<Long> out = new HashSet<>();
        bits.stream().forEach(i -> out.add((long) i));
        return out;
    }
}
