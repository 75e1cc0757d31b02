package io.wharf.storage.log;

import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.record.RecordBatchBuilder;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link LogCrashTest}: appends batches with fsync {@code always} from
 * several threads, forever, and prints a line for every append whose future completed, until it
 * is killed. Run as {@code CrashWriter DIR CYCLE}.
 *
 * <p>Lines: {@code READY <endOffset> ;}, {@code ACK <baseOffset> <cycle> <thread> <seq> <records> ;}
 * and {@code COMMIT <offset> ;} once a cursor commit is durable. The trailing {@code ;} tells a
 * whole line from one cut short by the kill.
 */
public final class CrashWriter {

    static final int THREADS = 3;

    private CrashWriter() {
    }

    /** The value of record {@code i} of a batch: a readable header, then bytes derived from it. */
    static byte[] payload(int cycle, int thread, long seq, int i) {
        String header = "c" + cycle + "t" + thread + "s" + seq + "i" + i + "|";
        SplittableRandom r = new SplittableRandom(header.hashCode());
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + r.nextInt(1500)];
        System.arraycopy(h, 0, out, 0, h.length);
        for (int k = h.length; k < out.length; k++) {
            out[k] = (byte) r.nextInt(256);
        }
        return out;
    }

    static int recordsIn(int cycle, int thread, long seq) {
        return 1 + new SplittableRandom(31L * cycle + 17L * thread + seq).nextInt(5);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int cycle = Integer.parseInt(args[1]);
        PrintStream out = System.out;
        LogEnvironment env = LogEnvironment.builder().writerThreads(2).build();
        Log log = Log.open("crash", dir.resolve("log"),
                LogConfig.DEFAULT.withSegmentBytes(256 * 1024).withIndexIntervalBytes(1024), env);
        CursorStore cursors = CursorStore.open(dir.resolve("cursors"), env);
        out.println("READY " + log.endOffset() + " ;");
        out.flush();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread w = new Thread(() -> write(log, cursors, out, cycle, thread), "crash-writer-" + t);
            w.start();
        }
        Thread.currentThread().join();
    }

    private static void write(Log log, CursorStore cursors, PrintStream out, int cycle, int thread) {
        Semaphore inFlight = new Semaphore(64);
        for (long seq = 0; ; seq++) {
            int n = recordsIn(cycle, thread, seq);
            RecordBatchBuilder b = new RecordBatchBuilder();
            for (int i = 0; i < n; i++) {
                b.append(System.currentTimeMillis(), null, ByteBuffer.wrap(payload(cycle, thread, seq, i)), List.of());
            }
            inFlight.acquireUninterruptibly();
            long s = seq;
            PendingAppend p = log.append(b.build());
            p.future().whenComplete((r, e) -> {
                inFlight.release();
                if (e == null) {
                    out.println("ACK " + r.baseOffset() + " " + cycle + " " + thread + " " + s + " " + n + " ;");
                    out.flush();
                }
            });
            // One committer, committing only appends already durable (as a consumer would), so
            // commits reach the journal in increasing order and never name an offset a crash reuses.
            if (thread == 0 && seq % 50 == 49) {
                long committed = p.lastOffset();
                p.future().thenCompose(r -> cursors.commit("consumer", committed, null)).thenRun(() -> {
                    out.println("COMMIT " + committed + " ;");
                    out.flush();
                });
            }
        }
    }
}
