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
import java.util.stream.Stream;

import static io.wharf.storage.log.LogTestSupport.batch;
import static io.wharf.storage.log.LogTestSupport.readAll;
import static io.wharf.storage.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opening logs that were not closed cleanly or whose files were damaged. A "crash" stops the
 * storage threads without closing the log, as a killed process would leave it.
 */
class RecoveryTest {

    @TempDir
    Path dir;

    private OpenLogs logs;

    @BeforeEach
    void setUp() {
        logs = new OpenLogs(dir, "recovering", d -> { });
    }

    @AfterEach
    void tearDown() throws IOException {
        logs.close();
    }

    private Log open(LogConfig config) throws IOException {
        return logs.open(config);
    }

    private void crash(Log log) {
        logs.crash(log);
    }

    /** Appends one batch per value and returns each batch's size in bytes. */
    private static List<Integer> appendAll(Log log, int n, String prefix) throws Exception {
        List<PendingAppend> appends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            appends.add(log.append(batch(1000 + i, prefix + i)));
        }
        List<Integer> sizes = new ArrayList<>();
        for (PendingAppend a : appends) {
            sizes.add(a.future().get().sizeInBytes());
        }
        return sizes;
    }

    private static int positionOf(List<Integer> sizes, int batchIndex) {
        return sizes.subList(0, batchIndex).stream().mapToInt(Integer::intValue).sum();
    }

    private Path segmentFile(long base) {
        return LogSegment.dataFile(dir, base);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, position);
        }
    }

    @Test
    void shouldKeepEveryCompletedAppendAfterACrash() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        appendAll(log, 500, "v");
        crash(log);

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().cleanShutdown()).isFalse();
        assertThat(reopened.recoveryReport().recoveredSegments()).hasSize(1);
        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(reopened.endOffset()).isEqualTo(500);
        PendingAppend next = reopened.append(batch(1, "next"));
        assertThat(next.baseOffset()).isEqualTo(500);
        // Written by the log's writer thread: wait for it before reading what is written.
        next.future().get();
        reopened.flush();
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize(501);
    }

    @Test
    void shouldCutATornTailOffTheLastSegment() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        List<Integer> sizes = appendAll(log, 10, "v");
        crash(log);
        int validEnd = positionOf(sizes, 10);
        try (FileChannel ch = FileChannel.open(segmentFile(0), StandardOpenOption.WRITE)) {
            // A torn write: the last batch lost its final bytes.
            ch.truncate(validEnd - 5);
        }

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).singleElement()
                .satisfies(t -> assertThat(t.position()).isEqualTo(positionOf(sizes, 9)));
        assertThat(values(readAll(reopened, 0, Log.ReadBound.WRITTEN))).hasSize(9).last().isEqualTo("v8");
        assertThat(reopened.append(batch(1, "again")).baseOffset()).isEqualTo(9);
    }

    @Test
    void shouldCutGarbageAfterTheLastBatch() throws Exception {
        Log log = open(LogConfig.DEFAULT.withPreallocate(false));
        List<Integer> sizes = appendAll(log, 10, "v");
        crash(log);
        try (FileChannel ch = FileChannel.open(segmentFile(0), StandardOpenOption.WRITE)) {
            ByteBuffer junk = ByteBuffer.allocate(300);
            for (int i = 0; i < 300; i++) {
                junk.put((byte) (i * 31 + 7));
            }
            junk.flip();
            ch.write(junk, positionOf(sizes, 10));
        }

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).singleElement()
                .satisfies(t -> assertThat(t.bytes()).isEqualTo(300));
        assertThat(Files.size(segmentFile(0))).isLessThanOrEqualTo(positionOf(sizes, 10) + (long) 8 * 1024 * 1024);
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize(10);
    }

    @Test
    void shouldCutALastBatchWhoseBytesWereDamaged() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        List<Integer> sizes = appendAll(log, 10, "v");
        crash(log);
        flipByte(segmentFile(0), positionOf(sizes, 9) + sizes.get(9) - 2);

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).hasSize(1);
        assertThat(reopened.endOffset()).isEqualTo(9);
    }

    @Test
    void shouldFenceOffDamageInTheMiddleOfTheActiveSegmentAndKeepWhatFollows() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        List<Integer> sizes = appendAll(log, 10, "v");
        crash(log);
        int damaged = positionOf(sizes, 4);
        flipByte(segmentFile(0), damaged + sizes.get(4) - 3);

        Log reopened = open(LogConfig.DEFAULT);

        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(reopened.recoveryReport().damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(segmentFile(0));
            assertThat(d.startByte()).isEqualTo(damaged);
            assertThat(d.endByte()).isEqualTo(damaged + sizes.get(4));
            assertThat(d.firstOffset()).isEqualTo(4);
            assertThat(d.nextOffset()).isEqualTo(5);
            assertThat(d.offsets()).isEqualTo(1);
        });
        assertThat(reopened.damage()).isEqualTo(reopened.recoveryReport().damage());
        assertThat(reopened.endOffset()).isEqualTo(10);
        try (LogSlice before = reopened.read(0, 1 << 20, Log.ReadBound.WRITTEN)) {
            assertThat(values(before.records())).containsExactly("v0", "v1", "v2", "v3");
            assertThat(before.nextOffset()).isEqualTo(4);
        }
        try (LogSlice s = reopened.read(4, 1, Log.ReadBound.WRITTEN)) {
            assertThat(values(s.records())).containsExactly("v5");
        }
        assertThat(values(readAll(reopened, 0, Log.ReadBound.WRITTEN)))
                .containsExactly("v0", "v1", "v2", "v3", "v5", "v6", "v7", "v8", "v9");
        assertThat(reopened.append(batch(1, "next")).baseOffset()).isEqualTo(10);
    }

    @Test
    void shouldReportDamageInAnOlderSegmentWhenItIsRead() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(2048).withIndexIntervalBytes(128);
        Log log = open(small);
        appendAll(log, 100, "v");
        logs.close(log);
        Path first = segmentFile(0);
        long firstSize = Files.size(first);
        flipByte(first, firstSize / 2);

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().cleanShutdown()).isTrue();
        assertThat(reopened.damage()).isEmpty();
        List<Record> seen = readAll(reopened, 0, Log.ReadBound.WRITTEN);
        assertThat(seen).hasSize(99);
        assertThat(reopened.damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(first);
            assertThat(d.startByte()).isLessThanOrEqualTo(firstSize / 2).isGreaterThan(firstSize / 2 - 100);
            assertThat(d.offsets()).isEqualTo(1);
            assertThat(seen).extracting(Record::offset).doesNotContain(d.firstOffset());
        });
        // Found once: reading again neither fails nor reports it again.
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize(99);
        assertThat(reopened.damage()).hasSize(1);
    }

    @Test
    void shouldRebuildAMissingIndex() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(2048).withIndexIntervalBytes(128);
        Log log = open(small);
        appendAll(log, 100, "v");
        logs.close(log);
        Files.delete(dir.resolve(LogSegment.fileStem(0) + LogSegment.INDEX_SUFFIX));

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().rebuiltIndexes()).singleElement().asString().contains("missing");
        assertThat(Files.exists(dir.resolve(LogSegment.fileStem(0) + LogSegment.INDEX_SUFFIX))).isTrue();
        for (long offset = 0; offset < 100; offset += 7) {
            try (LogSlice s = reopened.read(offset, 1, Log.ReadBound.WRITTEN)) {
                assertThat(s.records().get(0).offset()).isEqualTo(offset);
            }
        }
    }

    @Test
    void shouldRebuildAnIndexThatPointsAtTheWrongPlaces() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(4096).withIndexIntervalBytes(128);
        Log log = open(small);
        appendAll(log, 100, "v");
        logs.close(log);
        Path index = dir.resolve(LogSegment.fileStem(0) + LogSegment.INDEX_SUFFIX);
        byte[] bytes = Files.readAllBytes(index);
        assertThat(bytes.length).isGreaterThan(24);
        bytes[bytes.length - 1] ^= 0x10;
        Files.write(index, bytes);

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().rebuiltIndexes()).hasSize(1);
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize(100);
    }

    /** A file cut a few bytes after the batch the last index entry names: the entry lies inside the file, its batch does not. */
    @Test
    void shouldOpenAFileCutJustAfterTheLastIndexedPosition() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(1 << 20).withIndexIntervalBytes(128);
        Log log = open(small);
        appendAll(log, 100, "v");
        logs.close(log);
        byte[] index = Files.readAllBytes(dir.resolve(LogSegment.fileStem(0) + LogSegment.INDEX_SUFFIX));
        int lastIndexed = ByteBuffer.wrap(index, index.length - 4, 4).getInt();
        try (FileChannel data = FileChannel.open(LogSegment.dataFile(dir, 0), StandardOpenOption.WRITE)) {
            data.truncate(lastIndexed + 4);
        }

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().rebuiltIndexes()).hasSize(1);
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).isNotEmpty();
    }

    @Test
    void shouldRecoverEverySegmentWhenTheCheckpointIsLost() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(2048);
        Log log = open(small);
        appendAll(log, 100, "v");
        crash(log);
        Files.delete(dir.resolve(Log.CHECKPOINT_FILE));

        Log reopened = open(small);

        try (Stream<Path> files = Files.list(dir)) {
            long segments = files.filter(p -> p.toString().endsWith(".log")).count();
            assertThat(reopened.recoveryReport().recoveredSegments()).hasSize((int) segments);
        }
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize(100);
    }

    @Test
    void shouldRecoverOnlyTheSegmentsSinceTheLastRoll() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(2048);
        Log log = open(small);
        appendAll(log, 100, "v");
        crash(log);

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().recoveredSegments()).hasSize(1);
        assertThat(reopened.segmentCount()).isGreaterThan(3);
    }

    @Test
    void shouldTrimPreallocatedSpaceAnOlderSegmentKeptWhenTheCrashCameMidRoll() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(2048);
        Log log = open(small);
        appendAll(log, 100, "v");
        crash(log);
        // As if the process died after creating the next segment but before trimming this one.
        Path first = segmentFile(0);
        long size = Files.size(first);
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4096), size);
        }
        Files.delete(dir.resolve(Log.CHECKPOINT_FILE));

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().damage()).isEmpty();
        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(Files.size(first)).isEqualTo(size);
        assertThat(readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize(100);
    }

    @Test
    void shouldRebuildAnOlderSegmentsIndexDamagedInTheMiddleOnFirstUse() throws Exception {
        LogConfig small = LogConfig.DEFAULT.withSegmentBytes(8192).withIndexIntervalBytes(64);
        Log log = open(small);
        appendAll(log, 200, "v");
        logs.close(log);
        Path index = dir.resolve(LogSegment.fileStem(0) + LogSegment.INDEX_SUFFIX);
        byte[] bytes = Files.readAllBytes(index);
        assertThat(bytes.length / SparseIndex.ENTRY_SIZE).isGreaterThan(10);
        // Swap the positions of two middle entries: the ends still look right.
        int a = 4 * SparseIndex.ENTRY_SIZE + 8;
        int b = 6 * SparseIndex.ENTRY_SIZE + 8;
        for (int i = 0; i < 4; i++) {
            byte t = bytes[a + i];
            bytes[a + i] = bytes[b + i];
            bytes[b + i] = t;
        }
        Files.write(index, bytes);

        Log reopened = open(small);

        assertThat(reopened.recoveryReport().isClean()).isTrue();
        for (long offset = 0; offset < 200; offset++) {
            try (LogSlice s = reopened.read(offset, 1, Log.ReadBound.WRITTEN)) {
                assertThat(s.records().get(0).offset()).isEqualTo(offset);
            }
        }
        assertThat(Files.readAllBytes(index)).isNotEqualTo(bytes);
    }
}
