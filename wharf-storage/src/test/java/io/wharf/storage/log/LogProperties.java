package io.wharf.storage.log;

import io.wharf.storage.file.Directories;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Lookups and recovery checked against a plain list of what was appended. */
class LogProperties {

    private record Appended(long baseOffset, long lastOffset, List<Long> timestamps, int size) {
    }

    private static List<Appended> appendAll(Log log, List<List<Long>> batches) throws Exception {
        List<PendingAppend> pending = new ArrayList<>();
        for (List<Long> timestamps : batches) {
            RecordBatchBuilder b = new RecordBatchBuilder();
            for (long ts : timestamps) {
                b.append(ts, null, ByteBuffer.wrap(("value-" + ts).getBytes()), List.of());
            }
            pending.add(log.append(b.build()));
        }
        List<Appended> out = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            AppendResult r = pending.get(i).future().get();
            out.add(new Appended(r.baseOffset(), r.lastOffset(), batches.get(i), r.sizeInBytes()));
        }
        return out;
    }

    private static void checkEveryOffsetIsFound(Log log, long end) {
        for (long offset = log.startOffset(); offset < end; offset++) {
            try (LogSlice s = log.read(offset, 1, Log.ReadBound.WRITTEN)) {
                List<Record> records = s.records();
                assertThat(records).isNotEmpty();
                assertThat(records.get(0).offset()).isEqualTo(offset);
            }
        }
    }

    @Property(tries = 60)
    void shouldFindEveryOffsetBeforeAndAfterReopening(
            @ForAll @Size(min = 1, max = 60) List<@Size(min = 1, max = 12) List<@LongRange(min = 0, max = 1000) Long>> batches,
            @ForAll @IntRange(min = 1024, max = 8192) int segmentBytes,
            @ForAll @IntRange(min = 0, max = 2048) int indexInterval,
            @ForAll boolean crash) throws Exception {
        Path dir = Files.createTempDirectory("log-prop");
        LogConfig config = LogConfig.DEFAULT.withSegmentBytes(segmentBytes).withIndexIntervalBytes(indexInterval);
        try {
            LogEnvironment env = LogEnvironment.builder().build();
            Log log = Log.open("p", dir, config, env);
            List<Appended> appended = appendAll(log, batches);
            long end = appended.get(appended.size() - 1).lastOffset() + 1;
            checkEveryOffsetIsFound(log, end);
            if (!crash) {
                log.close();
            }
            env.close();

            try (LogEnvironment env2 = LogEnvironment.builder().build()) {
                Log reopened = Log.open("p", dir, config, env2);
                assertThat(reopened.endOffset()).isEqualTo(end);
                assertThat(reopened.recoveryReport().isClean()).isTrue();
                checkEveryOffsetIsFound(reopened, end);
                reopened.close();
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    @Property(tries = 60)
    void shouldFindTheFirstRecordAtOrAfterAnyTimestamp(
            @ForAll @Size(min = 1, max = 60) List<@Size(min = 1, max = 8) List<@LongRange(min = 0, max = 500) Long>> batches,
            @ForAll @IntRange(min = 1024, max = 4096) int segmentBytes,
            @ForAll @IntRange(min = 0, max = 1024) int indexInterval,
            @ForAll @LongRange(min = -1, max = 502) long target) throws Exception {
        Path dir = Files.createTempDirectory("log-prop");
        LogConfig config = LogConfig.DEFAULT.withSegmentBytes(segmentBytes).withIndexIntervalBytes(indexInterval);
        try (LogEnvironment env = LogEnvironment.builder().build()) {
            Log log = Log.open("p", dir, config, env);
            appendAll(log, batches);
            long offset = 0;
            long expected = -1;
            for (List<Long> b : batches) {
                for (long ts : b) {
                    if (expected < 0 && ts >= target) {
                        expected = offset;
                    }
                    offset++;
                }
            }

            OptionalLong found = log.offsetForTimestamp(target);

            if (expected < 0) {
                assertThat(found).isEmpty();
            } else {
                assertThat(found).hasValue(expected);
            }
            log.close();
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    @Property(tries = 80)
    void shouldKeepExactlyTheWholeBatchesBeforeATornTail(
            @ForAll @Size(min = 1, max = 40) List<@Size(min = 1, max = 6) List<@LongRange(min = 0, max = 100) Long>> batches,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int cutSeed,
            @ForAll boolean preallocate) throws Exception {
        Path dir = Files.createTempDirectory("log-prop");
        LogConfig config = LogConfig.DEFAULT.withPreallocate(preallocate);
        try {
            LogEnvironment env = LogEnvironment.builder().build();
            Log log = Log.open("p", dir, config, env);
            List<Appended> appended = appendAll(log, batches);
            env.close();
            int total = appended.stream().mapToInt(Appended::size).sum();
            int cut = cutSeed % (total + 1);
            try (FileChannel ch = FileChannel.open(LogSegment.dataFile(dir, 0), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            long expectedEnd = 0;
            int pos = 0;
            for (Appended a : appended) {
                if (pos + a.size() > cut) {
                    break;
                }
                pos += a.size();
                expectedEnd = a.lastOffset() + 1;
            }

            try (LogEnvironment env2 = LogEnvironment.builder().build()) {
                Log reopened = Log.open("p", dir, config, env2);
                assertThat(reopened.endOffset()).isEqualTo(expectedEnd);
                assertThat(reopened.recoveryReport().damage()).isEmpty();
                assertThat(LogTestSupport.readAll(reopened, 0, Log.ReadBound.WRITTEN)).hasSize((int) expectedEnd);
                reopened.close();
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    @Property(tries = 200)
    void shouldAgreeWithAModelOnFloorLookups(@ForAll @Size(max = 300) List<@IntRange(min = 1, max = 50) Integer> steps,
                                             @ForAll @LongRange(min = -5, max = 20000) long probe) throws IOException {
        Path dir = Files.createTempDirectory("index-prop");
        try {
            SparseIndex index = SparseIndex.empty(dir.resolve("x.index"));
            List<long[]> model = new ArrayList<>();
            long key = 0;
            int value = 0;
            for (int step : steps) {
                key += step;
                value += step * 3;
                index.append(key, value);
                model.add(new long[] {key, value});
            }
            int expectedByKey = -1;
            int expectedByValue = -1;
            for (int i = 0; i < model.size(); i++) {
                if (model.get(i)[0] <= probe) {
                    expectedByKey = i;
                }
                if (model.get(i)[1] <= probe) {
                    expectedByValue = i;
                }
            }
            assertThat(index.floorByKey(probe)).isEqualTo(expectedByKey);
            assertThat(index.floorByValue((int) probe)).isEqualTo(expectedByValue);

            index.seal();
            assertThat(index.floorByKey(probe)).isEqualTo(expectedByKey);
            assertThat(index.floorByValue((int) probe)).isEqualTo(expectedByValue);
            if (expectedByKey >= 0) {
                assertThat(index.keyAt(expectedByKey)).isEqualTo(model.get(expectedByKey)[0]);
                assertThat(index.valueAt(expectedByKey)).isEqualTo((int) model.get(expectedByKey)[1]);
            }
            index.close();
        } finally {
            Directories.deleteRecursively(dir);
        }
    }
}
