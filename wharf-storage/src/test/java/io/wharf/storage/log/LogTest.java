package io.wharf.storage.log;

import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;
import io.wharf.storage.record.RecordBatchBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.wharf.storage.log.LogTestSupport.batch;
import static io.wharf.storage.log.LogTestSupport.batchOfSize;
import static io.wharf.storage.log.LogTestSupport.readAll;
import static io.wharf.storage.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LogTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_000_000L);
    private final LogEnvironment env = LogEnvironment.builder().clock(clock).writerThreads(2).build();
    private final List<Log> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (Log l : opened) {
            l.close();
        }
        env.close();
    }

    private Log open(LogConfig config) throws IOException {
        Log log = Log.open("test", dir, config, env);
        opened.add(log);
        return log;
    }

    private static LogConfig small() {
        return LogConfig.DEFAULT.withSegmentBytes(4096).withIndexIntervalBytes(256);
    }

    @Test
    void shouldAssignConsecutiveOffsetsAndReadThemBack() throws Exception {
        Log log = open(LogConfig.DEFAULT);

        PendingAppend a = log.append(batch(10, "a", "b"));
        PendingAppend b = log.append(batch(11, "c"));
        b.future().get(5, TimeUnit.SECONDS);

        assertThat(a.baseOffset()).isZero();
        assertThat(a.lastOffset()).isEqualTo(1);
        assertThat(b.baseOffset()).isEqualTo(2);
        assertThat(a.future().get().sizeInBytes()).isPositive();
        assertThat(log.endOffset()).isEqualTo(3);
        assertThat(log.durableEndOffset()).isEqualTo(3);
        List<Record> all = readAll(log, 0, Log.ReadBound.DURABLE);
        assertThat(values(all)).containsExactly("a", "b", "c");
        assertThat(all).extracting(Record::offset).containsExactly(0L, 1L, 2L);
        assertThat(all.get(2).timestamp()).isEqualTo(11);
        assertThat(all.get(0).headers().get(0).valueAsString()).isEqualTo("a");
    }

    @Test
    void shouldWriteABatchBuiltInPartsAsOneBatch() throws Exception {
        Log log = open(small());
        byte[] value = new byte[1000];
        for (int i = 0; i < 20; i++) {
            java.util.Arrays.fill(value, (byte) i);
            log.append(new RecordBatchBuilder().gatherValuesFrom(256)
                    .append(i, ByteBuffer.wrap(new byte[] {(byte) i}), ByteBuffer.wrap(value.clone()), List.of())
                    .append(i, null, ByteBuffer.wrap(("small" + i).getBytes()), List.of())
                    .buildChecked());
        }
        log.append(batch(99, "last")).future().get(5, TimeUnit.SECONDS);

        List<Record> all = readAll(log, 0, Log.ReadBound.DURABLE);
        assertThat(all).hasSize(41);
        for (int i = 0; i < 20; i++) {
            assertThat(all.get(2 * i).valueBytes()).hasSize(1000).containsOnly((byte) i);
            assertThat(new String(all.get(2 * i + 1).valueBytes())).isEqualTo("small" + i);
        }
        log.close();
        assertThat(LogVerifier.verify(dir, io.wharf.storage.Throttle.unlimited())).isEmpty();
    }

    @Test
    void shouldStartASliceAtTheBatchHoldingTheOffset() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        log.append(batch(1, "a", "b", "c"));
        log.append(batch(1, "d")).future().get();

        try (LogSlice s = log.read(1, 1 << 20, Log.ReadBound.WRITTEN)) {
            assertThat(s.batches()).hasSize(2);
            assertThat(s.batches().get(0).baseOffset()).isZero();
            assertThat(values(s.records())).containsExactly("b", "c", "d");
            assertThat(s.nextOffset()).isEqualTo(4);
        }
    }

    @Test
    void shouldReturnAtLeastOneBatchEvenWhenItExceedsMaxBytes() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        log.append(batchOfSize(1, 10, 100));
        log.append(batchOfSize(1, 10, 100)).future().get();

        try (LogSlice s = log.read(0, 10, Log.ReadBound.WRITTEN)) {
            assertThat(s.batches()).hasSize(1);
            assertThat(s.nextOffset()).isEqualTo(10);
        }
    }

    @Test
    void shouldRejectReadsOutsideTheLog() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        log.append(batch(1, "a")).future().get();

        assertThatThrownBy(() -> log.read(2, 100, Log.ReadBound.WRITTEN))
                .isInstanceOf(OffsetOutOfRangeException.class).hasMessageContaining("[0, 1)");
        try (LogSlice atEnd = log.read(1, 100, Log.ReadBound.WRITTEN)) {
            assertThat(atEnd.isEmpty()).isTrue();
        }
    }

    @Test
    void shouldRejectBatchesThatAreNotValid() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        ByteBuffer bad = batch(1, "a");
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) ^ 1));

        assertThatThrownBy(() -> log.append(bad)).isInstanceOf(InvalidRecordException.class).hasMessageContaining("CRC");
        assertThatThrownBy(() -> log.append(ByteBuffer.allocate(10))).isInstanceOf(InvalidRecordException.class);
        assertThat(log.endOffset()).isZero();
    }

    @Test
    void shouldRollSegmentsBySizeAndFindOffsetsInEachOfThem() throws Exception {
        Log log = open(small());
        for (int i = 0; i < 200; i++) {
            log.append(batch(i, "v" + i));
        }
        log.append(batch(200, "last")).future().get();

        assertThat(log.segmentCount()).isGreaterThan(3);
        for (long offset : new long[] {0, 57, 123, 199, 200}) {
            try (LogSlice s = log.read(offset, 1, Log.ReadBound.DURABLE)) {
                assertThat(s.records()).first().extracting(Record::offset).isEqualTo(offset);
            }
        }
        assertThat(readAll(log, 0, Log.ReadBound.DURABLE)).hasSize(201);
    }

    @Test
    void shouldStopAReadBeforeTheBatchAtTheStopOffsetInAnySegment() throws Exception {
        Log log = open(small());
        for (int i = 0; i < 200; i++) {
            log.append(batch(i, "v" + i));
        }
        log.append(batch(200, "last")).future().get();

        for (long stop : new long[] {0, 1, 57, 58, 124, 200, 201}) {
            List<Record> got = new ArrayList<>();
            long offset = 0;
            while (true) {
                try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.DURABLE, stop)) {
                    if (s.isEmpty()) {
                        break;
                    }
                    got.addAll(s.records());
                    offset = s.nextOffset();
                }
            }
            assertThat(got).as("stopping at %d", stop).extracting(Record::offset)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, stop).boxed().toList());
        }
    }

    @Test
    void shouldRollASegmentOnceItIsOlderThanTheSegmentAge() throws Exception {
        Log log = open(LogConfig.DEFAULT.withSegmentMs(60_000));
        log.append(batch(1, "a")).future().get();
        clock.advance(59_000);
        log.append(batch(2, "b")).future().get();
        assertThat(log.segmentCount()).isEqualTo(1);

        clock.advance(2_000);
        log.append(batch(3, "c")).future().get();

        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(values(readAll(log, 0, Log.ReadBound.DURABLE))).containsExactly("a", "b", "c");
    }

    @Test
    void shouldFindTheFirstRecordAtOrAfterATimestamp() throws Exception {
        Log log = open(small());
        for (int i = 0; i < 300; i++) {
            log.append(batch(1000 + i * 10L, "v" + i));
        }
        log.append(batch(5000, "late")).future().get();

        assertThat(log.offsetForTimestamp(0)).hasValue(0);
        assertThat(log.offsetForTimestamp(1000)).hasValue(0);
        assertThat(log.offsetForTimestamp(1001)).hasValue(1);
        assertThat(log.offsetForTimestamp(2500)).hasValue(150);
        assertThat(log.offsetForTimestamp(4000)).hasValue(300);
        assertThat(log.offsetForTimestamp(5001)).isEmpty();
    }

    @Test
    void shouldShareOneFsyncAmongConcurrentAppends() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<CompletableFuture<AppendResult>>>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(pool.submit(() -> {
                go.await();
                List<CompletableFuture<AppendResult>> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    mine.add(log.append(batch(1, "x")).future());
                }
                return mine;
            }));
        }
        go.countDown();
        for (Future<List<CompletableFuture<AppendResult>>> f : work) {
            CompletableFuture.allOf(f.get().toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(log.endOffset()).isEqualTo(threads * perThread);
        assertThat(log.stats().batches()).isEqualTo(threads * perThread);
        assertThat(log.stats().fsyncs()).isLessThan(threads * perThread);
        assertThat(readAll(log, 0, Log.ReadBound.DURABLE)).extracting(Record::offset)
                .isSorted().hasSize(threads * perThread).doesNotHaveDuplicates();
    }

    @Test
    void shouldServeReadersWhileTheWriterAppends() throws Exception {
        Log log = open(small());
        int total = 2_000;
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<List<Long>> seen = reader.submit(() -> {
            List<Long> offsets = new ArrayList<>();
            long next = 0;
            while (offsets.size() < total) {
                try (LogSlice s = log.read(next, 512, Log.ReadBound.WRITTEN)) {
                    for (Record r : s.records()) {
                        offsets.add(r.offset());
                    }
                    next = s.nextOffset();
                }
            }
            return offsets;
        });
        for (int i = 0; i < total; i++) {
            log.append(batch(i, "r" + i));
        }

        List<Long> offsets = seen.get(60, TimeUnit.SECONDS);
        reader.shutdown();
        assertThat(offsets).hasSize(total).isSorted().doesNotHaveDuplicates();
        assertThat(offsets.get(total - 1)).isEqualTo(total - 1);
    }

    @Test
    void shouldHideUnforcedWritesFromDurableReadersUnderTheIntervalPolicy() throws Exception {
        Log log = open(LogConfig.DEFAULT.withFsync(FsyncPolicy.parse("50ms")));
        log.append(batch(1, "a")).future().get();

        await().atMost(10, TimeUnit.SECONDS).until(() -> log.durableEndOffset() == 1);
        assertThat(values(readAll(log, 0, Log.ReadBound.DURABLE))).containsExactly("a");
        assertThat(log.stats().fsyncs()).isPositive();
    }

    @Test
    void shouldNotForceUnderTheNeverPolicyNotEvenWhenRolling() throws Exception {
        Log log = open(small().withFsync(FsyncPolicy.NEVER));
        for (int i = 0; i < 300; i++) {
            log.append(batch(i, "v" + i));
        }
        log.append(batch(300, "last")).future().get();

        assertThat(log.stats().rolls()).isPositive();
        assertThat(log.stats().fsyncs()).isZero();
        assertThat(log.durableEndOffset()).isEqualTo(301);
        assertThat(values(readAll(log, 0, Log.ReadBound.DURABLE))).hasSize(301).endsWith("last");
    }

    @Test
    void shouldDeleteWholeSegmentsBelowAnOffset() throws Exception {
        Log log = open(small());
        for (int i = 0; i < 300; i++) {
            log.append(batch(i, "v" + i));
        }
        log.append(batch(300, "last")).future().get();
        int before = log.segmentCount();

        int deleted = log.deleteBefore(150);

        assertThat(deleted).isPositive();
        assertThat(log.segmentCount()).isEqualTo(before - deleted);
        assertThat(log.startOffset()).isEqualTo(150);
        assertThatThrownBy(() -> log.read(149, 100, Log.ReadBound.WRITTEN)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(readAll(log, 150, Log.ReadBound.WRITTEN)).first().extracting(Record::offset).isEqualTo(150L);
        assertThat(log.dir().toFile().list((d, n) -> n.endsWith(".log"))).hasSize(log.segmentCount());
    }

    @Test
    void shouldKeepTheStartOffsetAcrossARestart() throws Exception {
        Log log = open(small());
        for (int i = 0; i < 300; i++) {
            log.append(batch(i, "v" + i));
        }
        log.append(batch(300, "last")).future().get();
        log.deleteBefore(150);
        log.close();
        opened.clear();

        Log reopened = open(small());

        assertThat(reopened.startOffset()).isEqualTo(150);
        assertThat(reopened.endOffset()).isEqualTo(301);
    }

    @Test
    void shouldDeleteSegmentsPastTheRetentionAge() throws Exception {
        Log log = open(small().withRetentionMs(10_000).withSegmentMs(1_000));
        PendingAppend last = null;
        for (int i = 0; i < 200; i++) {
            last = log.append(batch(clock.millis() - 20_000, "old" + i));
        }
        last.future().get();
        clock.advance(2_000);
        log.append(batch(clock.millis(), "new")).future().get();

        log.applyRetention();

        assertThat(values(readAll(log, 0, Log.ReadBound.WRITTEN))).containsExactly("new");
        assertThat(log.startOffset()).isEqualTo(200);
        assertThat(log.segmentCount()).isEqualTo(1);
    }

    @Test
    void shouldRollAndDeleteAnActiveSegmentThatHasExpiredEntirely() throws Exception {
        Log log = open(LogConfig.DEFAULT.withRetentionMs(10_000));
        log.append(batch(clock.millis() - 20_000, "old")).future().get();

        log.applyRetention();

        assertThat(log.startOffset()).isEqualTo(1);
        assertThat(log.endOffset()).isEqualTo(1);
        assertThat(readAll(log, 1, Log.ReadBound.WRITTEN)).isEmpty();
        log.append(batch(clock.millis(), "new")).future().get();
        assertThat(values(readAll(log, 0, Log.ReadBound.WRITTEN))).containsExactly("new");
    }

    @Test
    void shouldDeleteTheOldestSegmentsOverTheRetentionSize() throws Exception {
        Log log = open(small().withRetentionBytes(8192));
        for (int i = 0; i < 400; i++) {
            log.append(batch(i, "v" + i));
        }
        log.append(batch(400, "last")).future().get();

        log.applyRetention();

        assertThat(log.sizeInBytes()).isLessThanOrEqualTo(8192 + 4096);
        assertThat(log.sizeInBytes()).isGreaterThanOrEqualTo(8192 - 4096);
        List<Record> left = readAll(log, 0, Log.ReadBound.WRITTEN);
        assertThat(left.get(left.size() - 1).offset()).isEqualTo(400);
        assertThat(left.get(0).offset()).isEqualTo(log.startOffset());
    }

    @Test
    void shouldKeepEverythingAcrossACleanRestart() throws Exception {
        Log log = open(small());
        for (int i = 0; i < 100; i++) {
            log.append(batch(i, "v" + i));
        }
        log.close();
        opened.clear();

        Log reopened = open(small());
        reopened.append(batch(100, "after")).future().get();

        assertThat(reopened.recoveryReport().cleanShutdown()).isTrue();
        assertThat(reopened.recoveryReport().recoveredSegments()).isEmpty();
        List<Record> all = readAll(reopened, 0, Log.ReadBound.DURABLE);
        assertThat(all).hasSize(101);
        assertThat(all.get(100).offset()).isEqualTo(100);
        assertThat(LogTestSupport.value(all.get(100))).isEqualTo("after");
    }

    @Test
    void shouldRefuseAppendsAfterClose() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        log.close();

        assertThatThrownBy(() -> log.append(batch(1, "a"))).isInstanceOf(LogClosedException.class);
    }

    @Test
    void shouldCompletePendingAppendsBeforeClosing() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        List<PendingAppend> appends = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            appends.add(log.append(batch(1, "a")));
        }
        log.close();

        assertThat(appends).allSatisfy(a -> assertThat(a.future()).isCompleted());
        assertThat(appends.get(999).future().get().lastOffset()).isEqualTo(999);
    }

    @Test
    void shouldWriteTheAssignedBaseOffsetIntoTheBatch() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        log.append(batch(1, "a", "b"));
        ByteBuffer second = batch(1, "c");

        PendingAppend p = log.append(second);

        assertThat(RecordBatch.wrap(second).baseOffset()).isEqualTo(2).isEqualTo(p.baseOffset());
    }
}
