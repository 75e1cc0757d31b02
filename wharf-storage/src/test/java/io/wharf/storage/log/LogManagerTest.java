package io.wharf.storage.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.wharf.storage.log.LogTestSupport.batch;
import static io.wharf.storage.log.LogTestSupport.readAll;
import static io.wharf.storage.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogManagerTest {

    @TempDir
    Path dir;

    private final LogEnvironment env = LogEnvironment.builder().build();

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void shouldGiveEveryNameItsOwnDirectoryAndFindThemAgain() throws Exception {
        String odd = "queue/vhost one/ünïcode ✓";
        try (LogManager logs = new LogManager(dir, env, LogConfig.DEFAULT, Duration.ofMinutes(5))) {
            logs.open("queue/a").append(batch(1, "a")).future().get();
            logs.open(odd).append(batch(1, "b")).future().get();
            logs.open("..").append(batch(1, "c")).future().get();
            assertThat(logs.open("queue/a")).isSameAs(logs.get("queue/a").orElseThrow());
        }

        try (LogManager logs = new LogManager(dir, env, LogConfig.DEFAULT, Duration.ofMinutes(5))) {
            assertThat(logs.onDisk()).containsOnlyKeys("queue/a", odd, "..");
            assertThat(values(readAll(logs.open(odd), 0, Log.ReadBound.WRITTEN))).containsExactly("b");
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).allSatisfy(n -> assertThat(n).doesNotContain("/").doesNotStartWith("."));
            }
        }
    }

    @Test
    void shouldShortenLongNamesToValidDirectoryNames() {
        String longName = "q".repeat(300);

        String dirName = LogManager.directoryName(longName);

        assertThat(dirName.length()).isLessThanOrEqualTo(200);
        assertThat(dirName).isNotEqualTo(LogManager.directoryName(longName + "x"));
    }

    @Test
    void shouldDeleteALogAndItsFiles() throws Exception {
        try (LogManager logs = new LogManager(dir, env, LogConfig.DEFAULT, Duration.ofMinutes(5))) {
            logs.open("doomed").append(batch(1, "x")).future().get();

            logs.delete("doomed");

            assertThat(logs.get("doomed")).isEmpty();
            assertThat(logs.onDisk()).isEmpty();
            assertThat(values(readAll(logs.open("doomed"), 0, Log.ReadBound.WRITTEN))).isEmpty();
        }
    }

    @Test
    void shouldFinishADeletionACrashInterrupted() throws Exception {
        Files.createDirectories(dir.resolve("old.123.deleting"));
        Files.writeString(dir.resolve("old.123.deleting/00000000000000000000.log"), "x");

        try (LogManager logs = new LogManager(dir, env, LogConfig.DEFAULT, Duration.ofMinutes(5))) {
            assertThat(dir.resolve("old.123.deleting")).doesNotExist();
            assertThat(logs.onDisk()).isEmpty();
        }
    }

    @Test
    void shouldApplyRetentionPeriodically() throws Exception {
        LogConfig tiny = LogConfig.DEFAULT.withSegmentBytes(2048).withRetentionBytes(4096);
        try (LogManager logs = new LogManager(dir, env, tiny, Duration.ofMillis(100))) {
            Log log = logs.open("stream");
            PendingAppend last = null;
            for (int i = 0; i < 500; i++) {
                last = log.append(batch(1, "v" + i));
            }
            last.future().get();

            await().atMost(10, TimeUnit.SECONDS).until(() -> log.sizeInBytes() <= 4096 + 2048);
            assertThat(log.startOffset()).isPositive();
        }
    }

    @Test
    void shouldCloseEveryLogCleanly() throws IOException {
        LogManager logs = new LogManager(dir, env, LogConfig.DEFAULT, Duration.ofMinutes(5));
        Log a = logs.open("a");
        logs.close();

        assertThat(a.dir().resolve(Log.CLEAN_SHUTDOWN_FILE)).exists();
    }
}
