package io.wharf.bench;

import io.wharf.storage.file.Directories;
import io.wharf.storage.log.FsyncPolicy;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogConfig;
import io.wharf.storage.log.LogEnvironment;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.log.PendingAppend;
import io.wharf.storage.record.RecordBatch;
import io.wharf.storage.record.RecordBatchBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Append and read throughput of the storage log, next to the disk's own figure for the same
 * write-and-fsync cadence measured with {@code dd} in the same run. Prints a Markdown table.
 *
 * <p>Usage: {@code StorageBench SCRATCH_DIR [seconds-per-scenario]}. Every scenario stops at a
 * record count or a time limit, whichever comes first.
 */
public final class StorageBench {

    private static final int ONE_KIB = 1024;
    private static final int HUNDRED = 100;
    private static final int BATCH_RECORDS = 64;

    private final Path scratch;
    private final Duration limit;
    private final List<String> only;
    private final List<String> rows = new ArrayList<>();

    private StorageBench(Path scratch, Duration limit, List<String> only) {
        this.scratch = scratch;
        this.limit = limit;
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StorageBench SCRATCH_DIR [seconds-per-scenario [scenario...]]");
            System.err.println("scenarios: disk batched group single never read (default: all)");
            System.exit(2);
        }
        Path scratch = Path.of(args[0]);
        Duration limit = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        List<String> only = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        new StorageBench(scratch, limit, only).run();
    }

    private record Result(long records, long bytes, double seconds, long fsyncs) {
        double recordsPerSecond() {
            return records / seconds;
        }

        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    private boolean selected(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    private void run() throws Exception {
        Directories.deleteRecursively(scratch);
        Files.createDirectories(scratch);
        int batchBytes = batchOf(BATCH_RECORDS, ONE_KIB).remaining();
        long ddCount = 4000;

        // Warm the JIT so the first measured scenario is not the slowest.
        appendWaitingEachBatch("warmup", FsyncPolicy.NEVER, true, 2_000, Duration.ofSeconds(3));
        singleRecordAppends("warmup2", HUNDRED, 2_000_000, Duration.ofSeconds(3));

        double ddNew = 0;
        double ddOverwrite = 0;
        if (selected("disk") || selected("batched")) {
            ddNew = dd(batchBytes, ddCount, false);
            ddOverwrite = dd(batchBytes, ddCount, true);
            row("disk: dd, " + batchBytes + "-byte writes, O_DSYNC each, new file", "", fmt(ddNew), "", "");
            row("disk: dd, same, over a zero-filled file", "", fmt(ddOverwrite), "", "");
        }
        if (selected("batched")) {
            batched(ddNew, ddOverwrite);
        }
        if (selected("group")) {
            group();
        }
        if (selected("single") || selected("never") || selected("read")) {
            never();
        }
        if (selected("read")) {
            read();
        }
        System.out.println("| scenario | records/s | MB/s | fsyncs | notes |");
        System.out.println("|---|---:|---:|---:|---|");
        rows.forEach(System.out::println);
        Directories.deleteRecursively(scratch);
    }

    private void batched(double ddNew, double ddOverwrite) throws Exception {
        Result a = appendWaitingEachBatch("a", FsyncPolicy.ALWAYS, true, 20_000, limit);
        row("append 64 × 1 KiB batches, fsync each batch (always), preallocated, 1 writer",
                fmt(a.recordsPerSecond()), fmt(a.mbPerSecond()), Long.toString(a.fsyncs()),
                pct(a.mbPerSecond(), ddNew) + " of dd new file, " + pct(a.mbPerSecond(), ddOverwrite) + " of dd overwrite");
        Result a2 = appendWaitingEachBatch("a2", FsyncPolicy.ALWAYS, false, 20_000, limit);
        row("same, without preallocation", fmt(a2.recordsPerSecond()), fmt(a2.mbPerSecond()),
                Long.toString(a2.fsyncs()), pct(a2.mbPerSecond(), ddNew) + " of dd new file");

    }

    private void group() throws Exception {
        Result g = groupCommit("g", 16, ONE_KIB, 400_000, limit);
        row("append 1 KiB records, fsync always, 16 writers × 1 append in flight (group commit)",
                fmt(g.recordsPerSecond()), fmt(g.mbPerSecond()), Long.toString(g.fsyncs()),
                String.format(Locale.ROOT, "%.1f appends per fsync", (double) g.records() / Math.max(1, g.fsyncs())));
        Result s = groupCommit("s", 1, HUNDRED, 100_000, limit);
        row("append 100 B records, fsync always, 1 writer waiting for each", fmt(s.recordsPerSecond()),
                fmt(s.mbPerSecond()), Long.toString(s.fsyncs()), "latency bound: one fsync per append");

    }

    private void never() throws Exception {
        Result n = singleRecordAppends("n", HUNDRED, 20_000_000, limit);
        row("append 100 B records one per append, fsync never, 1 thread", fmt(n.recordsPerSecond()),
                fmt(n.mbPerSecond()), Long.toString(n.fsyncs()), "target ≥ 1,000,000 appends/s");
        Result k = singleRecordAppends("k", ONE_KIB, 5_000_000, limit);
        row("append 1 KiB records one per append, fsync never, 1 thread", fmt(k.recordsPerSecond()),
                fmt(k.mbPerSecond()), Long.toString(k.fsyncs()), "");

    }

    private void read() throws Exception {
        Result decoded = readDecoding("k");
        row("read and decode every record of the 1 KiB log (page cache)", fmt(decoded.recordsPerSecond()),
                fmt(decoded.mbPerSecond()), "", "CRC checked");
        Result zeroCopy = readZeroCopy("k");
        row("read the 1 KiB log by file region to /dev/null (transferTo)", fmt(zeroCopy.recordsPerSecond()),
                fmt(zeroCopy.mbPerSecond()), "", "zero-copy");
    }

    private void row(String scenario, String recordsPerSecond, String mbPerSecond, String fsyncs, String notes) {
        rows.add("| " + scenario + " | " + recordsPerSecond + " | " + mbPerSecond + " | " + fsyncs + " | " + notes + " |");
        System.err.println(rows.get(rows.size() - 1));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%,.1f", v);
    }

    private static String pct(double part, double whole) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * part / whole);
    }

    private static ByteBuffer batchOf(int records, int valueBytes) {
        RecordBatchBuilder b = new RecordBatchBuilder(records * (valueBytes + 16) + 128);
        ByteBuffer value = ByteBuffer.wrap(new byte[valueBytes]);
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            b.append(now, null, value, List.of());
        }
        return b.build();
    }

    private Log open(String name, LogEnvironment env, FsyncPolicy fsync, boolean preallocate) throws IOException {
        return Log.open(name, scratch.resolve(name), LogConfig.DEFAULT.withFsync(fsync).withPreallocate(preallocate), env);
    }

    /** One writer appends a batch and waits until it is durable before the next: one fsync per batch. */
    private Result appendWaitingEachBatch(String name, FsyncPolicy fsync, boolean preallocate, long maxBatches,
                                          Duration max) throws Exception {
        try (LogEnvironment env = LogEnvironment.builder().build()) {
            Log log = open(name, env, fsync, preallocate);
            ByteBuffer template = batchOf(BATCH_RECORDS, ONE_KIB);
            long deadline = System.nanoTime() + max.toNanos();
            long start = System.nanoTime();
            long batches = 0;
            long bytes = 0;
            while (batches < maxBatches && System.nanoTime() < deadline) {
                ByteBuffer b = template.duplicate();
                log.append(b).future().get();
                batches++;
                bytes += template.remaining();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            Result r = new Result(batches * BATCH_RECORDS, bytes, secs, log.stats().fsyncs());
            log.close();
            return r;
        }
    }

    /** {@code writers} threads each keep one single-record append in flight, waiting for it before the next. */
    private Result groupCommit(String name, int writers, int valueBytes, long maxRecords, Duration max) throws Exception {
        try (LogEnvironment env = LogEnvironment.builder().build()) {
            Log log = open(name, env, FsyncPolicy.ALWAYS, true);
            LongAdder records = new LongAdder();
            LongAdder bytes = new LongAdder();
            long deadline = System.nanoTime() + max.toNanos();
            CountDownLatch done = new CountDownLatch(writers);
            long start = System.nanoTime();
            for (int w = 0; w < writers; w++) {
                Thread t = new Thread(() -> {
                    try {
                        ByteBuffer template = batchOf(1, valueBytes);
                        while (records.sum() < maxRecords && System.nanoTime() < deadline) {
                            log.append(template.duplicate()).future().get();
                            records.increment();
                            bytes.add(template.remaining());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        done.countDown();
                    }
                }, "bench-writer-" + w);
                t.start();
            }
            done.await();
            double secs = (System.nanoTime() - start) / 1e9;
            Result r = new Result(records.sum(), bytes.sum(), secs, log.stats().fsyncs());
            log.close();
            return r;
        }
    }

    /**
     * One thread appends single-record batches as fast as it can (fsync never), keeping at most
     * 100,000 appends unconfirmed so memory stays bounded.
     */
    private Result singleRecordAppends(String name, int valueBytes, long maxRecords, Duration max) throws Exception {
        try (LogEnvironment env = LogEnvironment.builder().build()) {
            Log log = open(name, env, FsyncPolicy.NEVER, true);
            ByteBuffer template = batchOf(1, valueBytes);
            int size = template.remaining();
            Semaphore window = new Semaphore(100_000);
            long deadline = System.nanoTime() + max.toNanos();
            long start = System.nanoTime();
            long n = 0;
            PendingAppend last = null;
            while (n < maxRecords) {
                if ((n & 1023) == 0 && System.nanoTime() >= deadline) {
                    break;
                }
                ByteBuffer b = ByteBuffer.allocate(size);
                b.put(template.duplicate()).flip();
                window.acquireUninterruptibly();
                last = log.append(b);
                last.future().whenComplete((r, e) -> window.release());
                n++;
            }
            if (last != null) {
                last.future().get();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            Result r = new Result(n, n * size, secs, log.stats().fsyncs());
            log.close();
            return r;
        }
    }

    private Result readDecoding(String name) throws Exception {
        try (LogEnvironment env = LogEnvironment.builder().build()) {
            Log log = open(name, env, FsyncPolicy.NEVER, true);
            long start = System.nanoTime();
            long records = 0;
            long bytes = 0;
            long offset = log.startOffset();
            while (offset < log.endOffset()) {
                try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                    for (RecordBatch b : s.batches()) {
                        for (var r : b.records()) {
                            records++;
                            bytes += r.value().remaining();
                        }
                    }
                    offset = s.nextOffset();
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            log.close();
            return new Result(records, bytes, secs, 0);
        }
    }

    private Result readZeroCopy(String name) throws Exception {
        try (LogEnvironment env = LogEnvironment.builder().build();
             FileChannel devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
            Log log = open(name, env, FsyncPolicy.NEVER, true);
            long start = System.nanoTime();
            long bytes = 0;
            long offset = log.startOffset();
            long end = log.endOffset();
            while (offset < end) {
                try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                    bytes += s.transferTo(devNull);
                    offset = s.nextOffset();
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            long records = end - log.startOffset();
            log.close();
            return new Result(records, bytes, secs, 0);
        }
    }

    /**
     * The disk's own rate for writes of {@code blockBytes} each followed by a sync (O_DSYNC), in
     * MB/s: into a new file, or over a file already zero-filled and synced.
     */
    private double dd(int blockBytes, long count, boolean overwrite) throws Exception {
        Path file = scratch.resolve("dd.bin");
        Files.deleteIfExists(file);
        List<String> cmd = new ArrayList<>(List.of("dd", "if=/dev/zero", "of=" + file, "bs=" + blockBytes,
                "count=" + count, "oflag=dsync"));
        if (overwrite) {
            exec(List.of("dd", "if=/dev/zero", "of=" + file, "bs=" + blockBytes, "count=" + count, "conv=fsync"));
            cmd.add("conv=notrunc");
        }
        String out = exec(cmd);
        Files.deleteIfExists(file);
        Matcher m = Pattern.compile("(\\d+) bytes .* copied, ([0-9.,]+) s").matcher(out);
        if (!m.find()) {
            throw new IOException("cannot read dd's output: " + out);
        }
        return Long.parseLong(m.group(1)) / Double.parseDouble(m.group(2).replace(',', '.')) / 1e6;
    }

    private static String exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
