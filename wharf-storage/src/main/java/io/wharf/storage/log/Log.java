package io.wharf.storage.log;

import io.wharf.storage.Throttle;
import io.wharf.storage.file.Directories;
import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.CheckedBatch;
import io.wharf.storage.record.RecordBatch;
import io.wharf.storage.record.RecordBatchBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A segmented, append-only log of record batches: the one storage primitive every queue and
 * stream in Wharf is built on.
 *
 * <h2>Appending</h2>
 * {@link #append} orders a batch and assigns its offsets at once, then hands it to a writer
 * thread. The writer drains every batch that queued up meanwhile, writes them with one gathering
 * write and, under the {@code always} policy, one fsync, then completes all their futures: under
 * load, batches grow on their own and many appends share one fsync (group commit); at low load
 * an append waits for one fsync.
 *
 * <h2>Reading</h2>
 * {@link #read} returns whole batches from the one holding the requested offset, bounded either
 * by what is written ({@link ReadBound#WRITTEN}) or by what is durable
 * ({@link ReadBound#DURABLE}). Reads run concurrently with appends and never see a batch before
 * it is completely written.
 *
 * <h2>Failure</h2>
 * A failed write is cut from the file and fails the appends that had not completed, and any
 * queued behind them; their offsets are left as a gap, never reused. The log stays readable and
 * writable (a full disk can recover). A failed
 * fsync makes the log read-only until it is reopened, since the kernel may have dropped the
 * pages it could not write.
 *
 * <h2>Recovery and damage</h2>
 * Opening a log that was not closed cleanly checks every batch of the segments written since the
 * last roll, cuts a torn tail beyond what the last checkpoint knew to be written, and rebuilds
 * their indexes; any open checks the batches that no index entry vouches for. Damage found
 * anywhere else, at open or by a later read, is fenced off: reads skip it and return every intact
 * batch before and after it, the log's end offset never goes backwards, and no offset is handed
 * out twice. Each damaged stretch is logged once and listed by {@link #damage()}; see also
 * {@link #recoveryReport()}.
 *
 * <p>Threading: every public method may be called from any thread.
 */
public final class Log implements AutoCloseable {

    /** How far a read may see. */
    public enum ReadBound {
        /** Everything written, including what is not yet forced to disk. */
        WRITTEN,
        /** Only what is durable under the log's fsync policy. */
        DURABLE
    }

    private enum State { OPEN, CLOSING, FAILED, CLOSED }

    /** A position readers may read up to: offsets below {@code offset}, bytes of {@code segment} below {@code position}. */
    private record LogEnd(long offset, LogSegment segment, int position) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Log.class);
    static final String CHECKPOINT_FILE = LogCheckpoint.FILE;
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    private static final int MAX_DRAIN_ROUNDS = 16;

    private final String name;
    private final Path dir;
    // Retention and segment size may change while the log is open; everything else is fixed at open.
    private volatile LogConfig config;
    private final LogEnvironment env;
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final RecoveryReport recoveryReport;
    private final ScheduledFuture<?> intervalFlush;
    private final DamageLedger damage;
    // Damage segments fenced while the log was opening, reported once every segment is known.
    private final List<Map.Entry<LogSegment, Fence>> fencedAtOpen = new ArrayList<>();
    private volatile boolean opened;

    private volatile LogSegment active;
    private volatile long startOffset;
    private volatile LogEnd writtenEnd;
    private volatile LogEnd durableEnd;
    private volatile State state = State.OPEN;
    private volatile boolean dirty;

    // Appends are ordered under this monitor; the writer takes the queue whole. A monitor, not a
    // ReentrantLock: its critical sections are a few instructions, and a monitor spins briefly
    // before parking, which spares the appender and the writer a futex call when they collide.
    private final Object appendLock = new Object();
    private ArrayList<PendingAppend> pending = new ArrayList<>();
    private long nextOffset;
    private boolean drainScheduled;

    // The writer, rolls, flushes, retention and close are serialised under writeLock.
    private final ReentrantLock writeLock = new ReentrantLock();
    private final LogStats stats = new LogStats();
    // The end offset the checkpoint records: it only grows. Guarded by writeLock once open.
    private long checkpointEnd;

    private Log(String name, Path dir, LogConfig config, LogEnvironment env) throws IOException {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.env = env;
        Directories.createDurably(dir);
        removeLeftovers();
        damage = new DamageLedger(name, dir, env);

        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        TreeSet<Long> bases = segmentBaseOffsets();
        // A log with no segment yet is new, not crashed.
        boolean clean = Files.exists(marker) || bases.isEmpty();
        LogCheckpoint checkpoint = LogCheckpoint.read(dir, name);
        long recoveryPoint = clean ? Long.MAX_VALUE : checkpoint.recoveryPoint();
        RecoveryReport.Builder report = RecoveryReport.builder(name, clean);
        // The clean-shutdown marker repeats the end offset, so one damaged file cannot lose it.
        checkpointEnd = Math.max(checkpoint.endOffset(), LogCheckpoint.readEndMarker(marker));

        try {
            for (long base : bases) {
                boolean last = base == bases.last();
                boolean recover = !clean && (base >= recoveryPoint || last);
                segments.put(base, LogSegment.open(dir, base, config, env.channels(), recover, last, checkpointEnd,
                        damage::knownFences, report, this::fenced));
            }
            if (segments.isEmpty()) {
                long base = Math.max(0, checkpoint.startOffset());
                segments.put(base, LogSegment.create(dir, base, config, env.channels(), this::fenced));
            }
            // The marker must be gone before anything is written, or a later crash would skip recovery.
            Files.deleteIfExists(marker);
            Directories.force(dir);

            active = segments.lastEntry().getValue();
            startOffset = Math.max(checkpoint.startOffset(), segments.firstKey());
            // Offsets below the start were written once, even if a damaged checkpoint forgot the end.
            checkpointEnd = Math.max(checkpointEnd, startOffset);
            if (active.nextOffset() < checkpointEnd) {
                skipLostTail(report);
            }
        } catch (IOException | RuntimeException e) {
            closeSegmentsQuietly(e);
            throw e;
        }
        active.startAgeClock(env.clock().millis());
        nextOffset = active.nextOffset();
        writtenEnd = new LogEnd(nextOffset, active, active.size());
        durableEnd = writtenEnd;
        for (Map.Entry<LogSegment, Fence> f : fencedAtOpen) {
            LogDamage d = resolve(f.getKey(), f.getValue());
            if (damage.fenced(d) == d) {
                report.damaged(d);
            }
        }
        fencedAtOpen.clear();
        checkContinuity(report);
        damage.settle();
        opened = true;
        recoveryReport = report.build();
        if (!clean) {
            LOG.info("log {}: recovered after an unclean shutdown, {} segment(s) checked, offsets [{}, {})",
                    name, recoveryReport.recoveredSegments().size(), startOffset, nextOffset);
        }
        intervalFlush = config.fsync().mode() == FsyncPolicy.Mode.INTERVAL
                ? env.scheduler().scheduleWithFixedDelay(this::flushIfDirty, config.fsync().intervalMs(),
                config.fsync().intervalMs(), TimeUnit.MILLISECONDS)
                : null;
    }

    /**
     * Opens the log in {@code dir}, creating it if needed and recovering it if it was not closed
     * cleanly.
     */
    public static Log open(String name, Path dir, LogConfig config, LogEnvironment env) throws IOException {
        return new Log(name, dir, config, env);
    }

    /**
     * The newest segment ends before offsets the log had already written (its tail was damaged or
     * cut): the log goes on from where it had been, in a new segment, so that those offsets are
     * never handed out again. Called while opening.
     */
    private void skipLostTail(RecoveryReport.Builder report) throws IOException {
        LogSegment last = active;
        boolean reported = last.fences().stream().anyMatch(f -> f.nextOffset() < 0);
        startSegmentAt(checkpointEnd);
        if (!reported && !damage.covers(last.nextOffset(), checkpointEnd)) {
            // Nothing of the lost records is left to fence: the file simply ends early.
            report.damaged(damage.found(new LogDamage(name, last.file(), last.size(), last.size(), last.nextOffset(),
                    checkpointEnd, "the segment ends before the offsets the log had written")));
        }
    }

    /**
     * Makes a new active segment at {@code base}, above the current one's last offset: the
     * offsets between were lost. An empty active segment is replaced rather than kept.
     */
    private void startSegmentAt(long base) throws IOException {
        LogSegment last = active;
        if (last.size() == 0) {
            LogSegment next = LogSegment.create(dir, base, config, env.channels(), this::fenced);
            segments.put(base, next);
            active = next;
            segments.remove(last.baseOffset);
            last.markDeleted();
            checkpointEnd = Math.max(checkpointEnd, base);
        } else {
            roll(base);
        }
        startOffset = Math.max(startOffset, segments.firstKey());
    }

    /**
     * Raises the log's next offset to at least {@code offset}: the next append lands there, and
     * the offsets skipped hold no records. A journal calls it at open when its snapshot covers
     * offsets its log no longer holds, so that new commands land after them.
     */
    public void advanceTo(long offset) {
        synchronized (appendLock) {
            nextOffset = Math.max(nextOffset, offset);
        }
    }

    /** Told by a segment of a range it fenced off. */
    private void fenced(LogSegment segment, Fence fence) {
        if (!opened) {
            fencedAtOpen.add(Map.entry(segment, fence));
        } else {
            record(segment, fence);
        }
    }

    /** The damage a fence stands for, with the offset after it when the fence runs to its segment's end. */
    private LogDamage resolve(LogSegment segment, Fence f) {
        long next = f.nextOffset();
        if (next < 0) {
            Long higher = segments.higherKey(segment.baseOffset);
            next = higher != null ? higher : Math.max(segment.nextOffset(), f.firstOffset());
        }
        return new LogDamage(name, segment.file(), f.start(), f.end(), f.firstOffset(), next, f.reason());
    }

    private void record(LogSegment segment, Fence f) {
        damage.fenced(resolve(segment, f));
    }

    // ---------------------------------------------------------------- appending

    /**
     * Orders {@code batch} after every earlier append and queues it for writing. The log writes
     * the assigned base offset into the buffer, which must therefore be writable and must not be
     * changed until the returned append's future completes.
     *
     * A batch larger than the log's segments gets a segment of its own.
     *
     * @throws InvalidRecordException if the bytes are not one valid batch
     * @throws LogClosedException     if the log is closed or has failed
     */
    public PendingAppend append(ByteBuffer batch) {
        return append(CheckedBatch.check(batch));
    }

    /**
     * Appends a batch whose CRC is known good (built by the broker, or checked when it arrived),
     * as {@link #append(ByteBuffer)} does, without hashing it again.
     *
     * @throws LogClosedException if the log is closed or has failed
     */
    public PendingAppend append(CheckedBatch checked) {
        ByteBuffer[] parts = checked.parts();
        synchronized (appendLock) {
            if (state != State.OPEN) {
                throw new LogClosedException("log " + name + " is " + state.name().toLowerCase() + "; it accepts no appends");
            }
            long base = nextOffset;
            RecordBatch.setBaseOffset(parts[0], base);
            PendingAppend p = new PendingAppend(parts, checked.sizeInBytes(), base, base + checked.lastOffsetDelta(),
                    checked.maxTimestamp());
            nextOffset = p.lastOffset() + 1;
            pending.add(p);
            if (!drainScheduled) {
                try {
                    env.writers().execute(this::drain);
                    drainScheduled = true;
                } catch (RejectedExecutionException e) {
                    pending.remove(pending.size() - 1);
                    nextOffset = base;
                    throw new LogClosedException("log " + name + "'s storage is shutting down");
                }
            }
            return p;
        }
    }

    private void drain() {
        for (int round = 0; round < MAX_DRAIN_ROUNDS; round++) {
            // The group is taken under writeLock, so close() never finds the queue empty while a
            // group it has not seen waits to be written.
            writeLock.lock();
            try {
                List<PendingAppend> group = takePending();
                if (group == null) {
                    return;
                }
                writeGroup(group);
            } finally {
                writeLock.unlock();
            }
        }
        // Give other logs sharing the writer threads a turn.
        try {
            env.writers().execute(this::drain);
        } catch (RejectedExecutionException e) {
            drainNow();
        }
    }

    /** Takes everything queued, or returns null and clears the scheduled flag if nothing is. */
    private List<PendingAppend> takePending() {
        synchronized (appendLock) {
            if (pending.isEmpty()) {
                drainScheduled = false;
                return null;
            }
            List<PendingAppend> group = pending;
            pending = new ArrayList<>(Math.max(16, group.size()));
            return group;
        }
    }

    private void drainNow() {
        writeLock.lock();
        try {
            List<PendingAppend> group;
            while ((group = takePending()) != null) {
                writeGroup(group);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes a group of appends in order; called with writeLock held. */
    private void writeGroup(List<PendingAppend> group) {
        int n = group.size();
        int completed = 0;
        LogSegment.Mark mark = active.mark();
        boolean syncing = false;
        try {
            if (state == State.FAILED || state == State.CLOSED) {
                throw new LogClosedException("log " + name + " is " + state.name().toLowerCase());
            }
            long now = env.clock().millis();
            int i = 0;
            while (i < n) {
                PendingAppend first = group.get(i);
                if (shouldRoll(active, first, now)) {
                    // Rolling forces the old segment, so what went into it is durable now; a log that
                    // never syncs would only stall its appends behind the page cache's writeback.
                    if (config.fsync().mode() != FsyncPolicy.Mode.NEVER) {
                        syncing = true;
                        timedFlush(active);
                        syncing = false;
                    }
                    advanceDurableEnd(writtenEnd);
                    completeRange(group, completed, i);
                    completed = i;
                    // What was completed stays: a failure from here on undoes only what follows.
                    mark = active.mark();
                    roll(active.nextOffset());
                    mark = active.mark();
                }
                if (first.baseOffset() != active.nextOffset()) {
                    writeFiller(active.nextOffset(), first.baseOffset(), now);
                }
                LogSegment seg = active;
                long bytes = seg.size() + (long) first.size;
                int j = i + 1;
                while (j < n && fits(seg, bytes, group.get(j))) {
                    bytes += group.get(j).size;
                    j++;
                }
                seg.append(group, i, j, now);
                stats.write();
                writtenEnd = new LogEnd(group.get(j - 1).lastOffset() + 1, seg, seg.size());
                i = j;
            }
            stats.batchesWritten(n);
            switch (config.fsync().mode()) {
                case ALWAYS -> {
                    syncing = true;
                    timedFlush(active);
                    syncing = false;
                    advanceDurableEnd(writtenEnd);
                }
                case NEVER -> advanceDurableEnd(writtenEnd);
                case INTERVAL -> dirty = true;
            }
            completeRange(group, completed, n);
            // Preallocation only spares fsyncs work; with no fsync it would just double the writes.
            if (config.preallocate() && config.fsync().mode() != FsyncPolicy.Mode.NEVER) {
                active.maybePreallocate(env.preallocator(), config.segmentBytes());
            }
        } catch (IOException | RuntimeException e) {
            failWrite(group, completed, mark, e, syncing);
        }
    }

    /**
     * Writes empty batches over offsets [from, to), which were assigned but never written (a
     * failed write, or {@link #advanceTo}). Offsets in a log follow one another without a gap:
     * that is what tells a damaged base offset (which lies outside the CRC) from a real one, and
     * lost offsets from skipped ones. Called by the writer with writeLock held.
     */
    private void writeFiller(long from, long to, long now) throws IOException {
        for (long at = from; at < to; ) {
            int n = (int) Math.min(to - at, Integer.MAX_VALUE);
            ByteBuffer filler = RecordBatchBuilder.filler(n);
            RecordBatch.setBaseOffset(filler, at);
            active.append(List.of(new PendingAppend(new ByteBuffer[] {filler}, filler.remaining(), at, at + n - 1, RecordBatch.NO_TIMESTAMP)), 0, 1, now);
            at += n;
        }
        writtenEnd = new LogEnd(to, active, active.size());
    }

    private boolean shouldRoll(LogSegment seg, PendingAppend next, long now) {
        if (seg.size() == 0) {
            return false;
        }
        return seg.size() + (long) next.size > config.segmentBytes()
                || next.lastOffset() - seg.baseOffset > Integer.MAX_VALUE
                || (seg.firstAppendMs() >= 0 && now - seg.firstAppendMs() >= config.segmentMs());
    }

    private boolean fits(LogSegment seg, long bytesSoFar, PendingAppend next) {
        return bytesSoFar + next.size <= config.segmentBytes() && next.lastOffset() - seg.baseOffset <= Integer.MAX_VALUE;
    }

    private static void completeRange(List<PendingAppend> group, int from, int to) {
        for (int i = from; i < to; i++) {
            group.get(i).complete();
        }
    }

    /**
     * Starts a new segment at the log's end. The new file is created before the old one is
     * sealed, so a failure leaves the old segment active and writable.
     */
    private void roll(long base) throws IOException {
        LogSegment old = active;
        LogSegment next = LogSegment.create(dir, base, config, env.channels(), this::fenced);
        try {
            old.seal(config.fsync().mode() != FsyncPolicy.Mode.NEVER);
        } catch (IOException | RuntimeException e) {
            next.closeFiles();
            Files.deleteIfExists(LogSegment.dataFile(dir, base));
            // A seal that failed half-way leaves the old segment's indexes unfit to append to, and
            // its fsync may have lost data: the log stops taking appends until it is reopened.
            throw new LogWriteException("log " + name + ": sealing " + old.file() + " failed: " + e.getMessage(), e, false);
        }
        segments.put(base, next);
        active = next;
        stats.roll();
        checkpointEnd = Math.max(checkpointEnd, base);
        writeCheckpointQuietly(base);
        LOG.debug("log {}: rolled to a new segment at offset {}", name, base);
    }

    private void failWrite(List<PendingAppend> group, int completed, LogSegment.Mark mark, Exception e, boolean syncing) {
        boolean diskFull = isDiskFull(e);
        boolean fatal = syncing || !(e instanceof IOException);
        String what = syncing ? "fsync failed" : "write failed";
        LogWriteException error = e instanceof LogClosedException
                ? new LogWriteException("log " + name + " is closed", e, false)
                : new LogWriteException("log " + name + ": " + what + (diskFull ? " because the disk is full" : "")
                + ": " + e.getMessage(), e, diskFull);
        if (!(e instanceof LogClosedException)) {
            try {
                active.rollback(mark);
            } catch (IOException | RuntimeException undo) {
                fatal = true;
                error.addSuppressed(undo);
            }
            LogEnd end = new LogEnd(mark.nextOffset(), active, mark.size());
            writtenEnd = end;
            synchronized (this) {
                if (durableEnd.offset() > end.offset()) {
                    durableEnd = end;
                }
            }
            if (fatal) {
                state = State.FAILED;
                LOG.error("log {}: {}; the log is read-only until reopened", name, what, e);
            } else {
                LOG.warn("log {}: {}; {} append(s) failed: {}", name, what, group.size() - completed, e.toString());
            }
        }
        synchronized (appendLock) {
            for (int i = completed; i < group.size(); i++) {
                group.get(i).fail(error);
            }
            for (PendingAppend p : pending) {
                p.fail(error);
            }
            pending.clear();
            // nextOffset stays where it is: the failed offsets are never reused, so an offset
            // someone saw once (a queue that delivered from memory) never names another batch.
        }
    }

    private static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    private synchronized void advanceDurableEnd(LogEnd end) {
        if (end.offset() >= durableEnd.offset()) {
            durableEnd = end;
        }
    }

    private void flushIfDirty() {
        if (!dirty || state != State.OPEN) {
            return;
        }
        dirty = false;
        LogEnd end = writtenEnd;
        if (!end.segment().tryRetain()) {
            return;
        }
        try {
            timedFlush(end.segment());
            advanceDurableEnd(end);
        } catch (IOException e) {
            state = State.FAILED;
            LOG.error("log {}: periodic fsync failed; the log is read-only until reopened", name, e);
        } finally {
            end.segment().release();
        }
    }

    /** Forces a segment to disk, counting the fsync and reporting how long it took. */
    private void timedFlush(LogSegment segment) throws IOException {
        long start = System.nanoTime();
        segment.flush();
        env.fsynced(System.nanoTime() - start);
        stats.fsync();
    }

    /** Forces everything written so far to disk now, whatever the policy. */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            LogEnd end = writtenEnd;
            timedFlush(active);
            advanceDurableEnd(end);
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads whole batches starting with the one that holds {@code offset}, up to about
     * {@code maxBytes} but always at least one batch. Only intact batches are returned: damaged
     * stretches are skipped, so the first batch may start after {@code offset}. An offset at the
     * end gives an empty slice.
     *
     * @throws OffsetOutOfRangeException if the offset is below the start or beyond the end
     */
    public LogSlice read(long offset, int maxBytes, ReadBound bound) {
        return read(offset, maxBytes, bound, Long.MAX_VALUE);
    }

    /**
     * Reads as {@link #read(long, int, ReadBound)} does, but nothing from the batch holding
     * {@code stopOffset} on: a reader that may not see past an offset (a transaction still
     * open there) gets the whole batches before it. {@code stopOffset} must be a batch's base
     * offset or past the end.
     */
    public LogSlice read(long offset, int maxBytes, ReadBound bound, long stopOffset) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        long at = offset;
        while (true) {
            LogEnd end = bound == ReadBound.DURABLE ? durableEnd : writtenEnd;
            long start = startOffset;
            if (at < start || at > end.offset()) {
                throw new OffsetOutOfRangeException(name, at, start, end.offset());
            }
            if (at == end.offset() || at >= stopOffset) {
                return LogSlice.empty(offset, at, end.offset());
            }
            Map.Entry<Long, LogSegment> e = segments.floorEntry(at);
            if (e == null || !e.getValue().tryRetain()) {
                if (state == State.CLOSED) {
                    throw new LogClosedException("log " + name + " is closed");
                }
                continue;
            }
            LogSegment seg = e.getValue();
            boolean handedOver = false;
            try {
                int limit = limitFor(seg, end);
                boolean stopsHere = stopOffset < end.offset() && segments.floorEntry(stopOffset).getValue() == seg;
                if (stopsHere) {
                    limit = seg.positionOf(stopOffset, limit);
                }
                int pos = seg.positionOf(at, limit);
                if (pos >= limit) {
                    // Nothing intact at or after the offset in this segment: a gap; go on in the next one.
                    Long next = segments.higherKey(seg.baseOffset);
                    if (stopsHere) {
                        return LogSlice.empty(offset, at, end.offset());
                    }
                    if (next == null || next >= end.offset()) {
                        return LogSlice.empty(offset, end.offset(), end.offset());
                    }
                    at = next;
                    continue;
                }
                int endPos = seg.readEnd(pos, maxBytes, limit);
                int damaged = endPos > pos ? seg.firstDamaged(pos, endPos) : pos;
                if (damaged == pos) {
                    // The first batch was found damaged just now and is fenced off: look again.
                    continue;
                }
                if (damaged > pos) {
                    endPos = damaged;
                }
                boolean toEnd = endPos == limit && seg == end.segment() && !stopsHere;
                long nextOff = toEnd ? end.offset() : seg.nextOffsetAt(pos, endPos);
                handedOver = true;
                return new LogSlice(seg, offset, pos, endPos - pos, nextOff, end.offset());
            } catch (LogSegment.RolledBackException undone) {
                // A failed write was undone under this read: the log's end has moved back; look again.
                continue;
            } catch (IOException io) {
                throw new UncheckedIOException("log " + name + ": reading " + seg.file() + " failed", io);
            } finally {
                if (!handedOver) {
                    seg.release();
                }
            }
        }
    }

    private static int limitFor(LogSegment seg, LogEnd end) {
        if (seg == end.segment()) {
            return end.position();
        }
        return seg.baseOffset >= end.offset() ? 0 : seg.size();
    }

    /**
     * The offset of the first record whose timestamp is at least {@code timestamp}, or empty if
     * every record is older.
     */
    public OptionalLong offsetForTimestamp(long timestamp) {
        LogEnd end = writtenEnd;
        for (LogSegment seg : segments.values()) {
            if (!seg.tryRetain()) {
                continue;
            }
            try {
                long found = seg.offsetForTimestamp(timestamp, limitFor(seg, end));
                if (found >= 0) {
                    return OptionalLong.of(Math.max(found, startOffset));
                }
            } catch (LogSegment.RolledBackException undone) {
                // The bytes looked at were never written after all: nothing later is either.
                return OptionalLong.empty();
            } catch (IOException io) {
                throw new UncheckedIOException("log " + name + ": reading " + seg.file() + " failed", io);
            } finally {
                seg.release();
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Checks every batch of every segment again, CRCs included, and the sealed segments' indexes,
     * reading no faster than {@code throttle} allows: a scrub finds damage that no read has met
     * yet. What it finds is fenced off and reported like damage a read finds. Runs on the
     * caller's thread; appends and reads go on meanwhile.
     */
    public void scrub(Throttle throttle) throws IOException {
        for (LogSegment seg : segments.values()) {
            if (state == State.CLOSED) {
                return;
            }
            if (!seg.tryRetain()) {
                continue;
            }
            try {
                seg.scrub(limitFor(seg, writtenEnd), throttle);
            } finally {
                seg.release();
            }
        }
    }

    /**
     * Takes a consistent cut for a backup: every batch durable now, from segments pinned until the
     * returned backup is closed. Takes no lock; appends and reads go on.
     */
    public LogBackup cutForBackup() {
        LogEnd end = durableEnd;
        long start = startOffset;
        List<LogBackup.Part> parts = new ArrayList<>();
        for (LogSegment seg : segments.values()) {
            if (seg != end.segment() && seg.baseOffset >= end.offset()) {
                break;
            }
            if (seg.tryRetain()) {
                parts.add(new LogBackup.Part(seg, seg == end.segment() ? end.position() : seg.size()));
            }
            if (seg == end.segment()) {
                break;
            }
        }
        return new LogBackup(name, dir, start, end.offset(), parts);
    }

    // ---------------------------------------------------------------- retention

    /**
     * Raises the start offset to {@code offset} and deletes every segment whose records all lie
     * below it, as when the consumers of a queue have acknowledged everything below it. The
     * active segment is kept.
     *
     * @return the number of segments deleted
     */
    public int deleteBefore(long offset) throws IOException {
        writeLock.lock();
        try {
            long target = Math.min(offset, writtenEnd.offset());
            if (target <= startOffset) {
                return 0;
            }
            startOffset = target;
            int deleted = 0;
            for (LogSegment seg : segments.values()) {
                Long next = segments.higherKey(seg.baseOffset);
                if (seg == active || next == null || next > target) {
                    break;
                }
                deleteSegment(seg);
                deleted++;
            }
            writeCheckpointQuietly(active.baseOffset);
            return deleted;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Deletes every segment whose records all lie below {@code offset}, leaving the start offset at
     * the first remaining segment: cheap when there is nothing to delete, so a queue can call it as
     * often as its consumers acknowledge.
     *
     * @return the number of segments deleted
     */
    public int deleteSegmentsBefore(long offset) throws IOException {
        Map.Entry<Long, LogSegment> second = segments.higherEntry(segments.firstKey());
        if (second == null || second.getKey() > offset) {
            return 0;
        }
        writeLock.lock();
        try {
            int deleted = 0;
            for (LogSegment seg : segments.values()) {
                Long next = segments.higherKey(seg.baseOffset);
                if (seg == active || next == null || next > offset) {
                    break;
                }
                deleteSegment(seg);
                deleted++;
            }
            if (deleted > 0) {
                writeCheckpointQuietly(active.baseOffset);
            }
            return deleted;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Deletes the oldest segments that break the retention limits: whose newest record is older
     * than {@code retentionMs}, and while the log is larger than {@code retentionBytes}. A fully
     * expired active segment is rolled first so it can go too.
     *
     * @return the number of segments deleted
     */
    public int applyRetention() throws IOException {
        if (config.retentionMs() < 0 && config.retentionBytes() < 0) {
            return 0;
        }
        writeLock.lock();
        try {
            if (state != State.OPEN) {
                return 0;
            }
            int deleted = 0;
            long now = env.clock().millis();
            if (config.retentionMs() >= 0) {
                long cutoff = now - config.retentionMs();
                for (LogSegment seg : segments.values()) {
                    if (seg.size() == 0 || seg.maxTimestamp() >= cutoff) {
                        break;
                    }
                    if (seg == active) {
                        roll(active.nextOffset());
                    }
                    deleteSegment(seg);
                    deleted++;
                }
            }
            if (config.retentionBytes() >= 0) {
                long total = sizeInBytes();
                for (LogSegment seg : segments.values()) {
                    if (seg == active || total - seg.size() < config.retentionBytes()) {
                        break;
                    }
                    total -= seg.size();
                    deleteSegment(seg);
                    deleted++;
                }
            }
            if (deleted > 0) {
                startOffset = Math.max(startOffset, segments.firstKey());
                writeCheckpointQuietly(active.baseOffset);
                LOG.info("log {}: retention deleted {} segment(s); the log now starts at offset {}", name, deleted, startOffset);
            }
            return deleted;
        } finally {
            writeLock.unlock();
        }
    }

    private void deleteSegment(LogSegment seg) throws IOException {
        segments.remove(seg.baseOffset);
        if (startOffset < seg.nextOffset()) {
            startOffset = seg.nextOffset();
        }
        seg.markDeleted();
        damage.forgetFile(seg.file());
    }

    // ---------------------------------------------------------------- state

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Changes the retention limits and the size at which segments roll, from the next append or
     * retention check on.
     */
    public void reconfigure(long retentionMs, long retentionBytes, int segmentBytes) {
        config = config.withRetentionMs(retentionMs).withRetentionBytes(retentionBytes).withSegmentBytes(segmentBytes);
    }

    public LogConfig config() {
        return config;
    }

    /** The first readable offset. */
    public long startOffset() {
        return startOffset;
    }

    /** The offset the next written batch will get: everything below it is readable. */
    public long endOffset() {
        return writtenEnd.offset();
    }

    /** The offset the next appended batch gets: past every batch handed to {@link #append}, written yet or not. */
    public long appendEnd() {
        synchronized (appendLock) {
            return nextOffset;
        }
    }

    /** Everything below this offset is durable under the fsync policy. */
    public long durableEndOffset() {
        return durableEnd.offset();
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Whether a failed fsync has made the log read-only. */
    public boolean isFailed() {
        return state == State.FAILED;
    }

    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    /** Every damaged stretch the log skips, found at this open, by a read since, or by an earlier run. */
    public List<LogDamage> damage() {
        return damage.all();
    }

    /** Counters of the writer's work, for tests and metrics. */
    public LogStats stats() {
        return stats;
    }

    // ---------------------------------------------------------------- open and close

    /**
     * Writes what is queued, forces everything, trims preallocated space and marks the log as
     * cleanly closed, so the next open needs no recovery. Pending appends complete first.
     */
    @Override
    public void close() throws IOException {
        synchronized (appendLock) {
            if (state == State.CLOSED || state == State.CLOSING) {
                return;
            }
            if (state == State.OPEN) {
                state = State.CLOSING;
            }
        }
        if (intervalFlush != null) {
            intervalFlush.cancel(false);
        }
        drainNow();
        writeLock.lock();
        try {
            boolean failed = state == State.FAILED;
            IOException first = null;
            long assigned;
            synchronized (appendLock) {
                assigned = nextOffset;
            }
            if (!failed && assigned > active.nextOffset()) {
                try {
                    writeFiller(active.nextOffset(), assigned, env.clock().millis());
                } catch (IOException e) {
                    failed = true;
                    first = e;
                }
            }
            state = State.CLOSED;
            for (LogSegment seg : segments.values()) {
                try {
                    if (seg == active && !failed) {
                        seg.closeClean();
                    } else {
                        seg.closeFiles();
                    }
                } catch (IOException e) {
                    failed = true;
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (!failed) {
                checkpointEnd = Math.max(checkpointEnd, writtenEnd.offset());
                writeCheckpoint(active.baseOffset);
                LogCheckpoint.writeEndMarker(dir.resolve(CLEAN_SHUTDOWN_FILE), checkpointEnd);
            }
            if (first != null) {
                throw first;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes the log and removes its directory. */
    public void delete() throws IOException {
        close();
        Directories.deleteRecursively(dir);
    }

    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String f = p.getFileName().toString();
                if (f.endsWith(LogSegment.DELETED_SUFFIX) || f.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private TreeSet<Long> segmentBaseOffsets() throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + LogSegment.DATA_SUFFIX)) {
            for (Path p : files) {
                String f = p.getFileName().toString();
                String stem = f.substring(0, f.length() - LogSegment.DATA_SUFFIX.length());
                try {
                    bases.add(Long.parseLong(stem));
                } catch (NumberFormatException e) {
                    LOG.warn("log {}: ignoring {}, which is not a segment file", name, p);
                }
            }
        }
        return bases;
    }

    /**
     * Reports offsets missing between segments: a segment that ends before the next begins lost
     * its tail (the writer never leaves such a gap). Overlaps are logged; reads of an overlap see
     * the older segment.
     */
    private void checkContinuity(RecoveryReport.Builder report) {
        LogSegment prev = null;
        for (LogSegment s : segments.values()) {
            if (prev != null && prev.nextOffset() > s.baseOffset) {
                LOG.error("log {}: {} overlaps {}; reads of the overlap will see the older segment", name, prev, s);
            } else if (prev != null && prev.nextOffset() < s.baseOffset
                    && !damage.covers(prev.nextOffset(), s.baseOffset)) {
                report.damaged(damage.found(new LogDamage(name, prev.file(), prev.size(), prev.size(), prev.nextOffset(),
                        s.baseOffset, "the segment ends before the next one begins")));
            }
            prev = s;
        }
    }

    private void closeSegmentsQuietly(Exception cause) {
        for (LogSegment s : segments.values()) {
            try {
                s.closeFiles();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private void writeCheckpoint(long recoveryPoint) throws IOException {
        LogEnd durable = durableEnd;
        if (durable != null) {
            checkpointEnd = Math.max(checkpointEnd, durable.offset());
        }
        new LogCheckpoint(recoveryPoint, startOffset, Math.max(checkpointEnd, startOffset)).write(dir);
    }

    private void writeCheckpointQuietly(long recoveryPoint) {
        try {
            writeCheckpoint(recoveryPoint);
        } catch (IOException e) {
            // Only costs work: the next unclean open checks more segments than it would have.
            LOG.warn("log {}: cannot write its checkpoint: {}", name, e.toString());
        }
    }

    Collection<LogSegment> segments() {
        return segments.values();
    }

    @Override
    public String toString() {
        return "log " + name + " [" + startOffset + ", " + endOffset() + ") in " + dir;
    }
}
