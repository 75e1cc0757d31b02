package io.wharf.storage.log;

import io.wharf.storage.FileDamage;
import io.wharf.storage.file.Directories;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random damage to the files of a log, after a clean close and after a crash: the log opens,
 * every record outside a damaged batch is readable at its original offset, offsets never repeat,
 * new appends land after every old offset, and what was skipped is reported.
 *
 * <p>Runs jqwik's default number of tries (1,000 per property); {@code -Pdamage-soak} raises it.
 */
class LogDamageProperties {

    /** How the logs of queues and of streams are configured, small enough to span several segments. */
    @Provide
    Arbitrary<LogConfig> logs() {
        LogConfig queue = LogConfig.DEFAULT.withSegmentBytes(4096).withIndexIntervalBytes(512);
        LogConfig stream = LogConfig.DEFAULT.withSegmentBytes(16 * 1024).withIndexIntervalBytes(4096);
        LogConfig unsynced = stream.withFsync(FsyncPolicy.NEVER);
        return Arbitraries.of(queue, stream, unsynced);
    }

    @Provide
    Arbitrary<List<FileDamage>> damage() {
        return FileDamage.any().list().ofMinSize(1).ofMaxSize(3);
    }

    @Property
    void shouldKeepEveryIntactRecordAtItsOffset(@ForAll("logs") LogConfig config,
                                                @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 6) Integer> batches,
                                                @ForAll boolean clean,
                                                @ForAll("damage") List<FileDamage> damage) throws Exception {
        check(config, batches, clean, damage);
    }

    /**
     * A case the property found: after a clean close the offset index is cut short (so it is
     * rebuilt from batch headers) and bytes in a header flipped, base offset included. The
     * rebuilt index must not trust that base offset, or reads of earlier offsets miss them.
     */
    @Example
    void shouldNotIndexAHeaderWhoseBaseOffsetDoesNotFollowWhenRebuildingTheIndex() throws Exception {
        LogConfig config = LogConfig.DEFAULT.withSegmentBytes(4096).withIndexIntervalBytes(512);
        check(config, List.of(1, 1, 2, 1, 2, 5, 1, 6, 1, 3, 1, 6, 6, 6, 2), true, List.of(
                new FileDamage(FileDamage.Kind.FLIP, 89, 0.15, 34, -378041967L),
                new FileDamage(FileDamage.Kind.TRUNCATE, 932, 0.06, 13, 23L)));
    }

    private static void check(LogConfig config, List<Integer> batches, boolean clean, List<FileDamage> damage) throws Exception {
        Path dir = Files.createTempDirectory("log-damage");
        try {
            Map<Long, String> written = new TreeMap<>();
            LogEnvironment env = LogEnvironment.builder().writerThreads(1).build();
            Log log = Log.open("p", dir, config, env);
            List<PendingAppend> appends = new ArrayList<>();
            for (int b = 0; b < batches.size(); b++) {
                appends.add(log.append(batch(b, batches.get(b))));
            }
            for (int b = 0; b < batches.size(); b++) {
                long base = appends.get(b).future().get().baseOffset();
                for (int i = 0; i < batches.get(b); i++) {
                    written.put(base + i, value(b, i));
                }
            }
            long end = log.endOffset();
            if (clean) {
                log.close();
            }
            env.close();
            long durableBeforeDamage = LogCheckpoint.read(dir, "p").endOffset();
            boolean checkpointDamaged = false;
            for (FileDamage d : damage) {
                Path hit = d.applyTo(FileDamage.filesIn(dir, ".log", ".index", ".timeindex", LogCheckpoint.FILE));
                checkpointDamaged |= hit != null && hit.getFileName().toString().equals(LogCheckpoint.FILE);
            }

            try (LogEnvironment env2 = LogEnvironment.builder().writerThreads(1).build()) {
                Log reopened = Log.open("p", dir, config, env2);
                long reopenedEnd = reopened.endOffset();
                List<Record> read = LogTestSupport.readAll(reopened, 0, Log.ReadBound.WRITTEN);

                long previous = -1;
                for (Record r : read) {
                    assertThat(r.offset()).as("offsets only grow").isGreaterThan(previous);
                    assertThat(LogTestSupport.value(r)).as("record at offset %d", r.offset()).isEqualTo(written.get(r.offset()));
                    previous = r.offset();
                }
                if (clean) {
                    assertThat(reopenedEnd).as("end offset after a clean close").isGreaterThanOrEqualTo(end);
                } else if (!checkpointDamaged) {
                    assertThat(reopenedEnd).as("end offset after a crash").isGreaterThanOrEqualTo(durableBeforeDamage);
                }
                List<LogDamage> reported = reopened.damage();
                List<Long> readOffsets = read.stream().map(Record::offset).toList();
                for (long offset : written.keySet()) {
                    if (offset < reopenedEnd && !readOffsets.contains(offset)) {
                        assertThat(reported).as("damage reported for missing offset %d", offset)
                                .anyMatch(d -> d.firstOffset() <= offset && offset < d.nextOffset());
                    }
                }

                AppendResult next = reopened.append(batch(999, 1)).future().get();
                assertThat(next.baseOffset()).isEqualTo(reopenedEnd).isGreaterThan(previous);
                try (LogSlice s = reopened.read(next.baseOffset(), 1024, Log.ReadBound.WRITTEN)) {
                    assertThat(s.records()).extracting(LogTestSupport::value).containsExactly(value(999, 0));
                }
                reopened.close();
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    private static String value(int batch, int record) {
        return "b" + batch + "r" + record + "-" + "x".repeat((batch * 7 + record * 13) % 90);
    }

    private static ByteBuffer batch(int b, int records) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (int i = 0; i < records; i++) {
            builder.append(1000L + b, null, ByteBuffer.wrap(value(b, i).getBytes(StandardCharsets.UTF_8)), List.of());
        }
        return builder.build();
    }
}
