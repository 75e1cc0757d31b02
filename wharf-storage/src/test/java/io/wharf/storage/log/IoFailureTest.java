package io.wharf.storage.log;

import io.wharf.storage.file.FaultyFileChannels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.wharf.storage.log.LogTestSupport.batch;
import static io.wharf.storage.log.LogTestSupport.readAll;
import static io.wharf.storage.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A full disk and a failing fsync: the appends they hit fail clearly, and nothing half-written survives. */
class IoFailureTest {

    @TempDir
    Path dir;

    private final FaultyFileChannels disk = new FaultyFileChannels();
    private final List<LogEnvironment> envs = new ArrayList<>();

    @AfterEach
    void tearDown() {
        envs.forEach(LogEnvironment::close);
    }

    private Log open(LogConfig config) throws IOException {
        LogEnvironment env = LogEnvironment.builder().channels(disk).build();
        envs.add(env);
        return Log.open("faulty", dir, config, env);
    }

    private static final LogConfig NO_PREALLOCATION = LogConfig.DEFAULT.withPreallocate(false);

    @Test
    void shouldFailAppendsOnAFullDiskAndAcceptThemAgainOnceSpaceIsFree() throws Exception {
        Log log = open(NO_PREALLOCATION);
        log.append(batch(1, "before")).future().get();

        disk.diskFull(true);
        PendingAppend failed = log.append(batch(2, "lost"));

        assertThatThrownBy(() -> failed.future().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(LogWriteException.class, e -> {
                    assertThat(e.diskFull()).isTrue();
                    assertThat(e.getMessage()).contains("faulty").contains("disk is full");
                });
        assertThat(log.endOffset()).isEqualTo(1);
        assertThat(values(readAll(log, 0, Log.ReadBound.WRITTEN))).containsExactly("before");

        disk.diskFull(false);
        PendingAppend after = log.append(batch(3, "after"));
        after.future().get(10, TimeUnit.SECONDS);

        assertThat(after.baseOffset()).as("the failed append's offset is not reused").isEqualTo(2);
        assertThat(values(readAll(log, 0, Log.ReadBound.DURABLE))).containsExactly("before", "after");
        log.close();
    }

    @Test
    void shouldLeaveNothingOfAFailedAppendAfterARestart() throws Exception {
        Log log = open(NO_PREALLOCATION);
        log.append(batch(1, "kept")).future().get();
        disk.diskFull(true);
        PendingAppend failed = log.append(batch(2, "half-written"));
        assertThatThrownBy(() -> failed.future().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        disk.diskFull(false);
        envs.get(0).close();

        Log reopened = open(NO_PREALLOCATION);

        assertThat(reopened.recoveryReport().truncations()).isEmpty();
        assertThat(values(readAll(reopened, 0, Log.ReadBound.WRITTEN))).containsExactly("kept");
        reopened.close();
    }

    @Test
    void shouldNotRunOutOfSpaceInsidePreallocatedSegmentSpace() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        for (int i = 0; i < 20; i++) {
            log.append(batch(1, "warm" + i)).future().get();
        }
        LogSegment active = log.segments().iterator().next();
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> active.channel().size() > active.size());

        disk.diskFull(true);
        log.append(batch(2, "fits")).future().get(10, TimeUnit.SECONDS);

        assertThat(values(readAll(log, 0, Log.ReadBound.DURABLE))).hasSize(21).last().isEqualTo("fits");
        disk.diskFull(false);
        log.close();
    }

    @Test
    void shouldBecomeReadOnlyWhenAnFsyncFails() throws Exception {
        Log log = open(NO_PREALLOCATION);
        log.append(batch(1, "durable")).future().get();

        disk.fsyncBroken(true);
        PendingAppend failed = log.append(batch(2, "not durable"));

        assertThatThrownBy(() -> failed.future().get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(LogWriteException.class).hasMessageContaining("fsync failed");
        assertThat(log.isFailed()).isTrue();
        assertThatThrownBy(() -> log.append(batch(3, "refused"))).isInstanceOf(LogClosedException.class);
        assertThat(values(readAll(log, 0, Log.ReadBound.DURABLE))).containsExactly("durable");
        log.close();

        disk.fsyncBroken(false);
        Log reopened = open(NO_PREALLOCATION);
        assertThat(reopened.recoveryReport().cleanShutdown()).isFalse();
        assertThat(values(readAll(reopened, 0, Log.ReadBound.WRITTEN))).containsExactly("durable");
        reopened.append(batch(4, "writable again")).future().get(10, TimeUnit.SECONDS);
        reopened.close();
    }

    @Test
    void shouldFailTheAppendsQueuedBehindAFailedWrite() throws Exception {
        Log log = open(NO_PREALLOCATION);
        disk.diskFull(true);
        List<PendingAppend> appends = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            appends.add(log.append(batch(1, "x" + i)));
        }
        for (PendingAppend a : appends) {
            assertThatThrownBy(() -> a.future().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        disk.diskFull(false);

        PendingAppend next = log.append(batch(1, "ok"));
        next.future().get(10, TimeUnit.SECONDS);

        assertThat(next.baseOffset()).isEqualTo(50);
        assertThat(values(readAll(log, 0, Log.ReadBound.WRITTEN))).containsExactly("ok");
        log.close();
    }
}
