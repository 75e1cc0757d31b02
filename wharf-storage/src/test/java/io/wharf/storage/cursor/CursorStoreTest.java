package io.wharf.storage.cursor;

import io.wharf.storage.log.LogEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CursorStoreTest {

    @TempDir
    Path dir;

    private final List<LogEnvironment> envs = new ArrayList<>();

    @AfterEach
    void tearDown() {
        envs.forEach(LogEnvironment::close);
    }

    private CursorStore open(long snapshotBytes) throws IOException {
        LogEnvironment env = LogEnvironment.builder().build();
        envs.add(env);
        return CursorStore.open(dir, env, snapshotBytes);
    }

    private void crash() {
        envs.get(envs.size() - 1).close();
    }

    @Test
    void shouldAdvanceTheMarkDeleteOverContiguousAcks() throws Exception {
        CursorStore store = open(1 << 20);
        store.ack("q", 1).get();
        store.ack("q", 3, 5).get();
        assertThat(store.get("q")).hasValueSatisfying(s -> {
            assertThat(s.markDelete()).isZero();
            assertThat(s.acked()).containsExactly(new OffsetRangeSet.Range(1, 1), new OffsetRangeSet.Range(3, 5));
        });

        store.ack("q", 0).get();
        store.ack("q", 2).get();

        assertThat(store.get("q")).hasValueSatisfying(s -> {
            assertThat(s.markDelete()).isEqualTo(6);
            assertThat(s.acked()).isEmpty();
            assertThat(s.isAcked(5)).isTrue();
            assertThat(s.isAcked(6)).isFalse();
        });
        store.close();
    }

    @Test
    void shouldKeepCursorsAcrossACleanRestart() throws Exception {
        CursorStore store = open(1 << 20);
        store.ack("queue/a", 0, 9).get();
        store.ack("queue/a", 15).get();
        store.commit("group/g/topic/0", 42, "meta".getBytes()).get();
        store.markDelete("queue/b", 100).get();
        store.close();

        CursorStore reopened = open(1 << 20);

        assertThat(reopened.get("queue/a")).hasValueSatisfying(s -> {
            assertThat(s.markDelete()).isEqualTo(10);
            assertThat(s.acked()).containsExactly(new OffsetRangeSet.Range(15, 15));
        });
        assertThat(reopened.get("group/g/topic/0")).hasValueSatisfying(s -> {
            assertThat(s.committedOffset()).isEqualTo(42);
            assertThat(s.metadata()).isEqualTo("meta".getBytes());
        });
        assertThat(reopened.get("queue/b").orElseThrow().markDelete()).isEqualTo(100);
        reopened.close();
    }

    @Test
    void shouldKeepEveryCompletedUpdateAfterACrash() throws Exception {
        CursorStore store = open(1 << 20);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 1000; i += 2) {
            acks.add(store.ack("q", i));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        crash();

        CursorStore reopened = open(1 << 20);

        CursorState s = reopened.get("q").orElseThrow();
        assertThat(s.markDelete()).isEqualTo(1);
        assertThat(s.acked()).hasSize(499);
        for (int i = 0; i < 1000; i++) {
            assertThat(s.isAcked(i)).isEqualTo(i % 2 == 0);
        }
        reopened.close();
    }

    @Test
    void shouldIgnoreATornLastCommandAfterACrash() throws Exception {
        CursorStore store = open(1 << 20);
        store.ack("q", 0, 4).get();
        crash();
        Path segment;
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 80, 1, 2, 3}), sizeOfWholeBatches(segment));
        }

        CursorStore reopened = open(1 << 20);

        assertThat(reopened.get("q").orElseThrow().markDelete()).isEqualTo(5);
        reopened.ack("q", 5).get();
        assertThat(reopened.get("q").orElseThrow().markDelete()).isEqualTo(6);
        reopened.close();
    }

    private static long sizeOfWholeBatches(Path segment) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all);
        int pos = 0;
        while (pos + 12 <= all.length && b.getInt(pos + 8) > 0) {
            pos += 12 + b.getInt(pos + 8);
        }
        return pos;
    }

    @Test
    void shouldCompactTheJournalIntoSnapshotsUnderManyAcks() throws Exception {
        CursorStore store = open(64 * 1024);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            acks.add(store.ack("q", i));
            if (acks.size() == 10_000) {
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                acks.clear();
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        store.compact();

        assertThat(store.journalBytes()).isLessThan(17L << 20);
        store.close();
        CursorStore reopened = open(64 * 1024);
        CursorState s = reopened.get("q").orElseThrow();
        assertThat(s.markDelete()).isEqualTo(200_000);
        assertThat(s.acked()).isEmpty();
        reopened.close();
    }

    @Test
    void shouldForgetADeletedCursor() throws Exception {
        CursorStore store = open(1 << 20);
        store.ack("q", 0).get();
        store.delete("q").get();
        store.ack("other", 0).get();
        store.close();

        CursorStore reopened = open(1 << 20);

        assertThat(reopened.get("q")).isEmpty();
        assertThat(reopened.all()).containsOnlyKeys("other");
        reopened.ack("q", 7).get();
        assertThat(reopened.get("q").orElseThrow().acked()).containsExactly(new OffsetRangeSet.Range(7, 7));
        reopened.close();
    }

    @Test
    void shouldLetACommittedOffsetMoveBackwards() throws Exception {
        CursorStore store = open(1 << 20);
        store.commit("g", 100, null).get();
        store.commit("g", 40, null).get();

        assertThat(store.get("g").orElseThrow().committedOffset()).isEqualTo(40);
        store.close();
    }

    @Test
    void shouldKeepTheStateWhenSnapshotsAreTakenConcurrently() throws Exception {
        CursorStore store = open(4096);
        java.util.concurrent.ExecutorService compactors = java.util.concurrent.Executors.newFixedThreadPool(3);
        List<java.util.concurrent.Future<?>> snapshots = new ArrayList<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            acks.add(store.ack("q", i));
            if (i % 500 == 0) {
                snapshots.add(compactors.submit(() -> {
                    store.compact();
                    return null;
                }));
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (java.util.concurrent.Future<?> f : snapshots) {
            f.get(60, TimeUnit.SECONDS);
        }
        compactors.shutdown();
        crash();

        CursorStore reopened = open(4096);

        assertThat(reopened.get("q").orElseThrow().markDelete()).isEqualTo(20_000);
        reopened.close();
    }
}
