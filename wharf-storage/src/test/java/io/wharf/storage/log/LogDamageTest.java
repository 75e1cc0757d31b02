package io.wharf.storage.log;

import io.wharf.storage.record.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.wharf.storage.log.LogTestSupport.batch;
import static io.wharf.storage.log.LogTestSupport.batchOfSize;
import static io.wharf.storage.log.LogTestSupport.readAll;
import static io.wharf.storage.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damage costs only the damaged bytes: whatever is cut or overwritten, the log opens, every
 * intact record stays readable at its offset, the end offset never goes backwards and the
 * damage is reported once.
 */
class LogDamageTest {

    @TempDir
    Path dir;

    private final List<LogDamage> reported = new CopyOnWriteArrayList<>();
    private OpenLogs logs;

    @BeforeEach
    void setUp() {
        logs = new OpenLogs(dir, "damaged", reported::add);
    }

    @AfterEach
    void tearDown() throws IOException {
        logs.close();
    }

    private Log open(LogConfig config) throws IOException {
        return logs.open(config);
    }

    private void closeCleanly(Log log) throws IOException {
        logs.close(log);
    }

    private void crash(Log log) {
        logs.crash(log);
    }

    /** What some appends left: the offset after them and the bytes they take. */
    private record Written(long end, long bytes) {
    }

    private static Written appendAll(Log log, int n, String prefix) throws Exception {
        List<PendingAppend> appends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            appends.add(log.append(batch(1000 + i, prefix + i)));
        }
        long bytes = 0;
        long end = 0;
        for (PendingAppend a : appends) {
            AppendResult r = a.future().get();
            bytes += r.sizeInBytes();
            end = r.lastOffset() + 1;
        }
        return new Written(end, bytes);
    }

    private Path newestSegment() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(LogSegment.DATA_SUFFIX)).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static void overwrite(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldKeepTheEndOffsetWhenTheTailOfACleanlyClosedSegmentIsCut() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        long end = appendAll(log, 2000, "v").end();
        closeCleanly(log);
        Path segment = newestSegment();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.endOffset()).isEqualTo(end);
        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(reopened.damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(segment);
            assertThat(d.endByte()).isEqualTo(Files.size(segment));
            assertThat(d.offsets()).isBetween(1L, 2L);
            assertThat(d.nextOffset()).isEqualTo(end);
        });
        long lost = reopened.damage().get(0).offsets();
        assertThat(reported).containsExactlyElementsOf(reopened.damage());
        try (LogSlice gap = reopened.read(end - 1, 1024, Log.ReadBound.DURABLE)) {
            assertThat(gap.isEmpty()).isTrue();
            assertThat(gap.nextOffset()).isEqualTo(end);
        }

        PendingAppend next = reopened.append(batch(1, "after"));
        assertThat(next.future().get().baseOffset()).isEqualTo(end);
        List<Record> all = readAll(reopened, 0, Log.ReadBound.DURABLE);
        assertThat(all).hasSize((int) (end - lost + 1));
        assertThat(all.get(0).offset()).isZero();
        assertThat(LogTestSupport.value(all.get(0))).isEqualTo("v0");
        assertThat(LogTestSupport.value(all.get(all.size() - 1))).isEqualTo("after");
        assertThat(all.get(all.size() - 1).offset()).isEqualTo(end);
    }

    @Test
    void shouldServeEveryIntactRecordBeforeDamageInTheMiddleOfACleanLog() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        long end = appendAll(log, 3000, "v").end();
        closeCleanly(log);
        Path segment = newestSegment();
        long damagedAt = Files.size(segment) - 20 * 1024;
        overwrite(segment, damagedAt, randomBytes(64, 7));

        Log reopened = open(LogConfig.DEFAULT);
        long from = 1000;
        List<Record> first;
        try (LogSlice s = reopened.read(from, 1 << 20, Log.ReadBound.DURABLE)) {
            first = s.records();
        }

        assertThat(reported).hasSize(1);
        LogDamage d = reported.get(0);
        assertThat(d.startByte()).isLessThanOrEqualTo(damagedAt);
        assertThat(d.endByte()).isGreaterThanOrEqualTo(damagedAt + 64);
        // One read returns everything up to the damaged batch, not an error.
        assertThat(first).isNotEmpty();
        assertThat(first.get(0).offset()).isEqualTo(from);
        assertThat(first.get(first.size() - 1).offset()).isEqualTo(d.firstOffset() - 1);
        List<Record> all = readAll(reopened, 0, Log.ReadBound.DURABLE);
        assertThat(all).hasSize((int) (end - d.offsets()));
        assertThat(all).extracting(Record::offset).doesNotContain(d.firstOffset());
        assertThat(reopened.endOffset()).isEqualTo(end);
        assertThat(reported).hasSize(1);
    }

    @Test
    void shouldFenceRandomBytesInTheNewestSegmentAfterACrash() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        long end = appendAll(log, 500, "v").end();
        crash(log);
        Path segment = newestSegment();
        overwrite(segment, 9000, randomBytes(64, 11));

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(reopened.damage()).singleElement().satisfies(d -> assertThat(d.offsets()).isBetween(1L, 2L));
        assertThat(reopened.endOffset()).isEqualTo(end);
        long lost = reopened.damage().get(0).offsets();
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize((int) (end - lost));
    }

    @Test
    void shouldNotCutDamageBelowWhatWasDurableBeforeACrash() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        Written before = appendAll(log, 200, "v");
        long durable = before.end();
        closeCleanly(log);
        Log again = open(LogConfig.DEFAULT);
        long end = appendAll(again, 50, "w").end();
        crash(again);
        Path segment = newestSegment();
        // Cut among batches that were on disk before the clean close: damage, not a torn write.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(before.bytes() / 2);
        }

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(reopened.endOffset()).isGreaterThanOrEqualTo(durable).isLessThanOrEqualTo(end);
        assertThat(reopened.damage()).singleElement().satisfies(d -> assertThat(d.nextOffset()).isEqualTo(durable));
        assertThat(reopened.append(batch(1, "next")).baseOffset()).isGreaterThanOrEqualTo(durable);
    }

    @Test
    void shouldCutOnlyATornTailBeyondWhatWasDurable() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        Written before = appendAll(log, 200, "v");
        long durable = before.end();
        closeCleanly(log);
        Log again = open(LogConfig.DEFAULT);
        Written after = appendAll(again, 50, "w");
        crash(again);
        Path segment = newestSegment();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(before.bytes() + after.bytes() - 10);
        }

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).hasSize(1);
        assertThat(reopened.damage()).isEmpty();
        assertThat(reopened.endOffset()).isEqualTo(durable + 49);
    }

    @Test
    void shouldFindDamageNoReadHasMetWhenScrubbedAndRememberItAcrossARestart() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(8192);
        Log log = open(small);
        long end = appendAll(log, 400, "v").end();
        closeCleanly(log);
        Path first = LogSegment.dataFile(dir, 0);
        overwrite(first, Files.size(first) / 2, randomBytes(8, 3));
        Log reopened = open(small);
        assertThat(reopened.damage()).isEmpty();

        reopened.scrub(new io.wharf.storage.Throttle(0));

        assertThat(reported).hasSize(1);
        assertThat(reopened.damage()).singleElement().satisfies(d -> assertThat(d.file()).isEqualTo(first));
        reopened.scrub(new io.wharf.storage.Throttle(0));
        assertThat(reported).as("found once, reported once").hasSize(1);
        closeCleanly(reopened);

        Log again = open(small);
        assertThat(again.damage()).as("recorded in log.damage").hasSize(1);
        assertThat(reported).as("not reported again at the next open").hasSize(1);
        assertThat(readAll(again, 0, Log.ReadBound.DURABLE)).hasSize((int) (end - again.damage().get(0).offsets()));
    }

    @Test
    void shouldGiveABatchLargerThanASegmentASegmentOfItsOwn() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(64 * 1024);
        Log log = open(small);
        log.append(batch(1, "before"));
        AppendResult big = log.append(batchOfSize(2, 1, 200 * 1024)).future().get();
        log.append(batch(3, "after")).future().get();

        assertThat(big.sizeInBytes()).isGreaterThan(small.segmentBytes());
        assertThat(log.segmentCount()).isEqualTo(3);
        List<Record> all = readAll(log, 0, Log.ReadBound.DURABLE);
        assertThat(all).hasSize(3);
        assertThat(all.get(1).value().remaining()).isEqualTo(200 * 1024);
        closeCleanly(log);

        Log reopened = open(small);
        assertThat(reopened.recoveryReport().isClean()).isTrue();
        assertThat(values(readAll(reopened, 0, Log.ReadBound.DURABLE))).hasSize(3).endsWith("after");
    }
}
