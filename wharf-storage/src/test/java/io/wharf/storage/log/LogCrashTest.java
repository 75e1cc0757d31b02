package io.wharf.storage.log;

import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.file.Directories;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills a writing child JVM with SIGKILL at random moments, then checks that every append it
 * reported as done is in the log, intact and in order, and that no damaged record is ever
 * returned. {@code -Dwharf.crash.cycles=N} runs more cycles (the bench soak does).
 */
class LogCrashTest {

    private static final Pattern ACK = Pattern.compile("ACK (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) ;");
    private static final Pattern COMMIT = Pattern.compile("COMMIT (\\d+) ;");
    private static final Pattern READY = Pattern.compile("READY (\\d+) ;");

    private record Acked(long baseOffset, int cycle, int thread, long seq, int records) {
    }

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedAppendThroughRepeatedKills() throws Exception {
        int cycles = Integer.getInteger("wharf.crash.cycles", 20);
        long seed = Long.getLong("wharf.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Map<Long, Acked> acked = new TreeMap<>();
        long lastCommit = -1;
        int killedDuringStartup = 0;

        for (int cycle = 0; cycle < cycles; cycle++) {
            boolean killEarly = random.nextInt(5) == 0;
            int acksBeforeKill = 1 + random.nextInt(400);
            Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-cp", System.getProperty("java.class.path"), "-Xmx256m", CrashWriter.class.getName(),
                    dir.toString(), Integer.toString(cycle))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
            AtomicLong ackCount = new AtomicLong();
            AtomicReference<String> ready = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        if (line.startsWith("ACK")) {
                            ackCount.incrementAndGet();
                        } else if (line.startsWith("READY")) {
                            ready.set(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the child died mid-line
                }
            }, "crash-test-reader");
            reader.start();

            if (killEarly) {
                killedDuringStartup++;
            } else {
                await("cycle " + cycle + " (seed " + seed + ")").atMost(60, TimeUnit.SECONDS)
                        .until(() -> ackCount.get() >= acksBeforeKill || !child.isAlive());
                assertThat(child.isAlive()).as("the writer died on its own in cycle %d", cycle).isTrue();
            }
            child.toHandle().destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(60));

            long maxAckedBefore = acked.isEmpty() ? -1 : ((TreeMap<Long, Acked>) acked).lastKey();
            for (String line : lines) {
                Matcher m = ACK.matcher(line);
                if (m.matches()) {
                    Acked a = new Acked(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)), Integer.parseInt(m.group(5)));
                    acked.put(a.baseOffset(), a);
                }
                Matcher c = COMMIT.matcher(line);
                if (c.matches()) {
                    lastCommit = Math.max(lastCommit, Long.parseLong(c.group(1)));
                }
                Matcher rd = READY.matcher(line);
                if (rd.matches()) {
                    assertThat(Long.parseLong(rd.group(1))).as("the log reopened past every acknowledged append")
                            .isGreaterThan(maxAckedBefore);
                }
            }
            verify(acked, lastCommit, "cycle " + cycle + ", seed " + seed);
        }
        assertThat(acked).as("appends acknowledged over %d cycles", cycles).hasSizeGreaterThan(cycles - killedDuringStartup);
    }

    /** Opens a copy of what the child left, so the child's next run still starts from a crash. */
    private void verify(Map<Long, Acked> acked, long lastCommit, String context) throws Exception {
        Path copy = Files.createTempDirectory("crash-verify");
        try {
            copyTree(dir, copy);
            try (LogEnvironment env = LogEnvironment.builder().build()) {
                Log log = Log.open("crash", copy.resolve("log"), LogConfig.DEFAULT.withSegmentBytes(256 * 1024), env);
                Map<Long, RecordBatch> batches = new TreeMap<>();
                long offset = log.startOffset();
                while (offset < log.endOffset()) {
                    try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                        for (RecordBatch b : s.batches()) {
                            batches.put(b.baseOffset(), b);
                            for (Record r : b.records()) {
                                assertThat(isIntact(r)).as("record %d is intact (%s)", r.offset(), context).isTrue();
                            }
                        }
                        offset = s.nextOffset();
                    }
                }
                for (Acked a : acked.values()) {
                    RecordBatch b = batches.get(a.baseOffset());
                    assertThat(b).as("acknowledged batch at offset %d is present (%s)", a.baseOffset(), context).isNotNull();
                    List<Record> records = b.recordList();
                    assertThat(records).hasSize(a.records());
                    for (int i = 0; i < records.size(); i++) {
                        assertThat(records.get(i).valueBytes())
                                .as("record %d of the batch at %d (%s)", i, a.baseOffset(), context)
                                .isEqualTo(CrashWriter.payload(a.cycle(), a.thread(), a.seq(), i));
                    }
                }
                checkOrderPerWriter(acked, context);
                log.close();
                CursorStore cursors = CursorStore.open(copy.resolve("cursors"), env);
                if (lastCommit >= 0) {
                    assertThat(cursors.get("consumer").orElseThrow().committedOffset())
                            .as("the committed offset is at least the last acknowledged commit (%s)", context)
                            .isGreaterThanOrEqualTo(lastCommit);
                }
                cursors.close();
            }
        } finally {
            Directories.deleteRecursively(copy);
        }
    }

    private static boolean isIntact(Record r) {
        String v = new String(r.valueBytes(), StandardCharsets.US_ASCII);
        Matcher m = Pattern.compile("c(\\d+)t(\\d+)s(\\d+)i(\\d+)\\|.*", Pattern.DOTALL).matcher(v);
        return m.matches() && java.util.Arrays.equals(r.valueBytes(), CrashWriter.payload(Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), Integer.parseInt(m.group(4))));
    }

    private static void checkOrderPerWriter(Map<Long, Acked> acked, String context) {
        Map<String, List<Acked>> byWriter = new TreeMap<>();
        for (Acked a : acked.values()) {
            byWriter.computeIfAbsent(a.cycle() + "/" + a.thread(), k -> new ArrayList<>()).add(a);
        }
        byWriter.forEach((writer, list) -> {
            list.sort((x, y) -> Long.compare(x.seq(), y.seq()));
            for (int i = 1; i < list.size(); i++) {
                assertThat(list.get(i).baseOffset()).as("writer %s appends stay in order (%s)", writer, context)
                        .isGreaterThan(list.get(i - 1).baseOffset());
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f)));
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
