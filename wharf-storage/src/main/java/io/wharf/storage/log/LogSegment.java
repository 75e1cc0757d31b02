package io.wharf.storage.log;

import io.wharf.storage.Throttle;
import io.wharf.storage.file.FileChannelFactory;
import io.wharf.storage.record.Compression;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * One file of a log: record batches from {@link #baseOffset} on, with a sparse offset index
 * (relative offset to file position) and a time index (max timestamp so far to relative offset).
 *
 * <h2>Damage</h2>
 * A byte range that fails its checks (a batch header that cannot be right, a CRC that does not
 * match) is <em>fenced</em>: recorded as a {@link Fence} and stepped over by every walk, so
 * reads return the intact batches before and after it and never the damaged bytes. Recovery
 * fences what it finds at open; a read that finds damage fences it then and tells the log.
 *
 * <p>Threading: the log's writer is the only thread that appends, rolls back, seals or
 * preallocates-on-demand; readers call the lookup and read methods concurrently and see only
 * bytes below {@link #size()} (or below the bound the log hands them). A segment is reference
 * counted: readers {@link #tryRetain()} it, and its files are closed and deleted only once the
 * last reference is released after {@link #markDeleted()}.
 */
final class LogSegment {

    static final String DATA_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";

    private static final String DAMAGED_HEADER = SegmentCheck.DAMAGED_HEADER;

    /** Told of every range a segment fences off, at open and on later reads. */
    interface DamageListener {
        void fenced(LogSegment segment, Fence fence);
    }

    /** Batches below {@code position} are known intact; the next one's base offset is {@code nextOffset}. */
    private record Verified(int position, long nextOffset) {
    }

    /** The writer's state before a write, to undo a write that failed. */
    record Mark(int size, long nextOffset, long maxTimestamp, long maxTimestampOffset,
                int offsetEntries, int timeEntries, int bytesSinceIndexEntry) {
    }

    final long baseOffset;
    private final Path dataFile;
    private final FileChannel channel;
    private final int indexInterval;
    private final DamageListener damageListener;
    private final Fences fences = new Fences();
    private volatile SparseIndex offsetIndex;
    private volatile SparseIndex timeIndex;
    private Preallocation space;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long maxTimestampOffset = -1;
    private volatile Verified verified;
    private int bytesSinceIndexEntry;
    private long firstAppendMs = -1;
    private volatile boolean indexesChecked = true;
    private final List<SparseIndex> retired = new CopyOnWriteArrayList<>();

    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean deleted;

    private LogSegment(long baseOffset, Path dataFile, FileChannel channel, int indexInterval, DamageListener damageListener,
                       SparseIndex offsetIndex, SparseIndex timeIndex) {
        this.baseOffset = baseOffset;
        this.dataFile = dataFile;
        this.channel = channel;
        this.indexInterval = indexInterval;
        this.damageListener = damageListener;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.nextOffset = baseOffset;
        this.verified = new Verified(0, baseOffset);
    }

    static Path dataFile(Path dir, long baseOffset) {
        return dir.resolve(fileStem(baseOffset) + DATA_SUFFIX);
    }

    static String fileStem(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /** Creates an empty segment, replacing any leftover files at its base offset. */
    static LogSegment create(Path dir, long baseOffset, LogConfig config, FileChannelFactory channels,
                             DamageListener damageListener) throws IOException {
        Path data = dataFile(dir, baseOffset);
        FileChannel ch = channels.open(data, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        try {
            Path oiFile = dir.resolve(fileStem(baseOffset) + INDEX_SUFFIX);
            Path tiFile = dir.resolve(fileStem(baseOffset) + TIME_INDEX_SUFFIX);
            Files.deleteIfExists(oiFile);
            Files.deleteIfExists(tiFile);
            LogSegment s = new LogSegment(baseOffset, data, ch, config.indexIntervalBytes(), damageListener,
                    SparseIndex.empty(oiFile), SparseIndex.empty(tiFile));
            s.space = new Preallocation(data, channels, 0);
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment.
     *
     * @param recover       check every batch's CRC, rebuild the indexes, and cut or fence off damage;
     *                      otherwise trust a cleanly closed file: check its indexes and the batches
     *                      after its last index entry
     * @param last          whether this is the log's newest segment, which alone may have a torn tail
     *                      to cut off and stays writable
     * @param durableOffset offsets below this were durable before the last shutdown: damage among them
     *                      is fenced, never cut off as a torn tail
     * @param knownDamage   the ranges of a file (of a given size) fenced off in earlier runs
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, FileChannelFactory channels, boolean recover,
                           boolean last, long durableOffset, BiFunction<Path, Long, List<Fence>> knownDamage,
                           RecoveryReport.Builder report, DamageListener damageListener) throws IOException {
        Path data = dataFile(dir, baseOffset);
        FileChannel ch = channels.open(data, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        try {
            Path oiFile = dir.resolve(fileStem(baseOffset) + INDEX_SUFFIX);
            Path tiFile = dir.resolve(fileStem(baseOffset) + TIME_INDEX_SUFFIX);
            LogSegment s = new LogSegment(baseOffset, data, ch, config.indexIntervalBytes(), damageListener,
                    SparseIndex.empty(oiFile), SparseIndex.empty(tiFile));
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE) {
                throw new IOException(data + " is larger than 2 GiB, more than a segment may hold");
            }
            // Damage an earlier run fenced off is stepped over, not checked and reported again.
            knownDamage.apply(data, fileSize).forEach(s.fences::add);
            if (recover) {
                s.recover((int) fileSize, last, durableOffset, report);
                if (!last) {
                    s.offsetIndex.seal();
                    s.timeIndex.seal();
                }
            } else {
                s.openClean((int) fileSize, oiFile, tiFile, last, report);
            }
            s.space = new Preallocation(data, channels, ch.size());
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- recovery

    /** Validates every batch, rebuilding both indexes; cuts a torn tail and fences off other damage. */
    private void recover(int fileSize, boolean last, long durableOffset, RecoveryReport.Builder report) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        bytesSinceIndexEntry = 0;
        int end = checkBatches(0, baseOffset, fileSize, true);
        Fence tail = fences.covering(Math.max(0, fileSize - 1));
        // Zeros are never data: they are preallocated space a crash left untrimmed, in any segment.
        // Anything else at the end with nothing intact after it is a torn write if it lies beyond
        // what was durable before the crash; below that it is damage, and fenced like any other.
        if (tail != null && tail.nextOffset() < 0) {
            long dropped = DamageSearch.nonZeroBytesFrom(channel, tail.start(), fileSize);
            if (dropped == 0 || (last && tail.firstOffset() >= durableOffset)) {
                fences.remove(tail);
                channel.truncate(tail.start());
                channel.force(true);
                end = tail.start();
                if (dropped > 0) {
                    report.truncatedTail(dataFile, tail.start(), dropped);
                }
            }
        }
        size = end;
        verified = new Verified(end, nextOffset);
        report.recoveredSegment(dataFile);
        fences.all().forEach(f -> damageListener.fenced(this, f));
    }

    /**
     * Opens a segment that was sealed or cleanly closed: its file holds whole batches only. The
     * newest segment's indexes are loaded and checked entry by entry; an older segment's are only
     * spot-checked here, so that opening a large log reads little, and checked fully on first use.
     * What no index entry vouches for, the batches after the last entry, is checked batch by batch.
     */
    private void openClean(int fileSize, Path oiFile, Path tiFile, boolean last, RecoveryReport.Builder report) throws IOException {
        size = fileSize;
        String problem;
        if (!Files.exists(oiFile) || !Files.exists(tiFile)) {
            problem = "an index file is missing";
        } else if (last) {
            offsetIndex = SparseIndex.loadWritable(oiFile);
            timeIndex = SparseIndex.loadWritable(tiFile);
            problem = indexProblem(true);
        } else {
            offsetIndex = SparseIndex.openSealed(oiFile);
            timeIndex = SparseIndex.openSealed(tiFile);
            problem = indexProblem(false);
        }
        if (problem != null) {
            report.rebuiltIndex(dataFile, problem);
            closeIndexes();
            rebuildIndexesByHeaders(fileSize);
            indexesChecked = true;
            if (!last) {
                offsetIndex.seal();
                timeIndex.seal();
            }
        } else {
            indexesChecked = last;
            SparseIndex ti = timeIndex;
            if (ti.count() > 0) {
                maxTimestamp = ti.keyAt(ti.count() - 1);
                maxTimestampOffset = baseOffset + ti.valueAt(ti.count() - 1);
            }
            bytesSinceIndexEntry = indexInterval;
        }
        SparseIndex oi = offsetIndex;
        int from = oi.count() == 0 ? 0 : oi.valueAt(oi.count() - 1);
        long expected = oi.count() == 0 ? baseOffset : baseOffset + oi.keyAt(oi.count() - 1);
        checkBatches(from, expected, fileSize, false);
        fences.all().forEach(f -> damageListener.fenced(this, f));
    }

    /**
     * Checks the structure, offsets and CRC of every batch in [from, fileSize), indexing them if
     * asked, and fences off every damaged stretch: up to the next intact batch, or to the end of
     * the file if none follows. Sets the segment's next offset.
     *
     * @return the end of the last intact batch, or of the file if damage runs to its end
     */
    private int checkBatches(int from, long expectedOffset, int fileSize, boolean indexing) throws IOException {
        int[] validEnd = {from};
        nextOffset = SegmentCheck.walk(channel, from, fileSize, expectedOffset, fences, true, new SegmentCheck.Visitor() {
            @Override
            public void intact(BatchScanner scan) {
                if (indexing) {
                    indexBatch(scan.position(), scan.size(), scan.baseOffset(), scan.lastOffset(), scan.maxTimestamp());
                }
                validEnd[0] = scan.nextPosition();
            }

            @Override
            public void damaged(Fence damage) {
                fences.add(damage);
                fenced(damage);
            }

            @Override
            public void fenced(Fence known) {
                validEnd[0] = known.end();
                // The damaged bytes hide how many offsets they held; index the next batch afresh.
                bytesSinceIndexEntry = indexInterval;
            }
        });
        return validEnd[0];
    }

    /**
     * Why the indexes cannot be trusted, or null. A full check reads every entry; a spot check
     * only the sizes, the ends, and whether the last offset entry points at the batch it names.
     */
    private String indexProblem(boolean full) throws IOException {
        SparseIndex oi = offsetIndex;
        SparseIndex ti = timeIndex;
        if (!oi.isWhole() || !ti.isWhole()) {
            return "an index file's size is not a whole number of entries";
        }
        int n = oi.count();
        if (full) {
            long prevKey = -1;
            int prevValue = -1;
            for (int i = 0; i < n; i++) {
                long k = oi.keyAt(i);
                int v = oi.valueAt(i);
                if (k <= prevKey || v <= prevValue || k > Integer.MAX_VALUE || v >= size) {
                    return "offset index entry " + i + " is out of order or out of range";
                }
                prevKey = k;
                prevValue = v;
            }
            long prevTs = Long.MIN_VALUE;
            int prevRel = -1;
            for (int i = 0; i < ti.count(); i++) {
                long k = ti.keyAt(i);
                int v = ti.valueAt(i);
                if (k <= prevTs || v < prevRel || v < 0) {
                    return "time index entry " + i + " is out of order";
                }
                prevTs = k;
                prevRel = v;
            }
        } else if (n > 0 && (oi.keyAt(0) < 0 || oi.keyAt(n - 1) < oi.keyAt(0) || oi.keyAt(n - 1) > Integer.MAX_VALUE
                || oi.valueAt(0) < 0 || oi.valueAt(n - 1) < oi.valueAt(0) || oi.valueAt(n - 1) >= size)) {
            return "the offset index's first or last entry is out of range";
        }
        if (n > 0 && oi.valueAt(n - 1) > size - Long.BYTES) {
            // Inside the file, but too close to its end for the batch it names: the file was cut.
            return "the last offset index entry points past the end of the data";
        }
        if (n > 0 && ChannelReads.baseOffsetAt(channel, oi.valueAt(n - 1)) != baseOffset + oi.keyAt(n - 1)) {
            return "the last offset index entry does not point at the batch it names";
        }
        return null;
    }

    /**
     * Checks an older segment's indexes entry by entry the first time they are used, rebuilding
     * them if they are damaged.
     */
    private void ensureIndexesChecked() throws IOException {
        if (indexesChecked) {
            return;
        }
        synchronized (this) {
            if (indexesChecked) {
                return;
            }
            String problem = indexProblem(true);
            if (problem != null) {
                rebuildSealedIndexes(problem);
            }
            indexesChecked = true;
        }
    }

    /** Replaces a sealed segment's damaged indexes with ones rebuilt from its batches. */
    private synchronized void rebuildSealedIndexes(String problem) throws IOException {
        LoggerFactory.getLogger(LogSegment.class).warn("{}: rebuilt the indexes of {}: {}", dataFile.getParent(), dataFile, problem);
        // Readers may still hold the old indexes; they are closed with the segment.
        retired.add(offsetIndex);
        retired.add(timeIndex);
        List<Fence> before = fences.all();
        rebuildIndexesByHeaders(size);
        offsetIndex.seal();
        timeIndex.seal();
        fences.all().stream().filter(f -> !before.contains(f)).forEach(f -> damageListener.fenced(this, f));
    }

    private void closeIndexes() throws IOException {
        offsetIndex.close();
        timeIndex.close();
    }

    /**
     * Rebuilds both indexes from batch headers, without reading the batches' contents; a header
     * that cannot be right is fenced off up to the next intact batch.
     */
    private void rebuildIndexesByHeaders(int fileSize) throws IOException {
        offsetIndex = SparseIndex.empty(offsetIndex.file());
        timeIndex = SparseIndex.empty(timeIndex.file());
        bytesSinceIndexEntry = 0;
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        maxTimestampOffset = -1;
        long next = baseOffset;
        int start = 0;
        boolean done = false;
        while (!done) {
            BatchScanner scan = new BatchScanner(channel, start, fileSize, fences);
            while (true) {
                BatchScanner.Status st = scan.next();
                if (st == BatchScanner.Status.END) {
                    done = true;
                    break;
                }
                if (st == BatchScanner.Status.FENCED) {
                    next = Math.max(next, scan.fence().nextOffset());
                    bytesSinceIndexEntry = indexInterval;
                    continue;
                }
                // A header whose base offset does not follow the batch before it is damaged too:
                // indexed, it would send readers of earlier offsets to the wrong batch.
                String problem = SegmentCheck.problem(scan, st, next, false);
                if (problem != null) {
                    Fence f = fence(scan.position(), next, fileSize, problem);
                    done = f.nextOffset() < 0;
                    start = f.end();
                    if (!done) {
                        next = Math.max(next, f.nextOffset());
                        bytesSinceIndexEntry = indexInterval;
                    }
                    break;
                } else {
                    indexBatch(scan.position(), scan.size(), scan.baseOffset(), scan.lastOffset(), scan.maxTimestamp());
                    next = scan.lastOffset() + 1;
                }
            }
        }
        nextOffset = next;
        offsetIndex.flush();
        timeIndex.flush();
    }

    // ---------------------------------------------------------------- damage

    /** Fences off the damage starting at {@code position}; returns the range, or the one already known there. */
    private Fence fence(int position, long firstOffset, int limit, String reason) throws IOException {
        Fence known = fences.covering(position);
        if (known != null) {
            return known;
        }
        Fence f = SegmentCheck.damage(channel, position, firstOffset, limit, fences, reason);
        fences.add(f);
        return f;
    }

    /** Fences off damage a read found after the segment was opened, and tells the log once. */
    private void damageFound(int position, String reason) throws IOException {
        if (fences.covering(position) != null) {
            return;
        }
        if (position >= size) {
            // Not damage: a failed write was undone under the reader, which must look again.
            throw new RolledBackException();
        }
        long before = offsetBefore(position);
        if (before < 0) {
            // Earlier damage hides the offset; the last range known before it bounds it from below.
            before = baseOffset;
            for (Fence earlier : fences.all()) {
                if (earlier.end() <= position) {
                    before = Math.max(before, earlier.firstOffset());
                }
            }
        }
        Fence f = SegmentCheck.damage(channel, position, before, size, fences, reason);
        // Two readers may find the same damage at once: the one whose range is added tells the log.
        if (fences.add(f)) {
            damageListener.fenced(this, f);
        }
    }

    /** Thrown to a reader whose bytes a failed write's undo took away; it reads again from the log's new end. */
    static final class RolledBackException extends RuntimeException {
        RolledBackException() {
            super("the bytes being read were undone", null, false, false);
        }
    }

    /**
     * The offset after the last intact batch that ends at or before {@code position}: the base
     * offset the batch there must have. Negative when damage before it hides that offset.
     */
    private long offsetBefore(int position) throws IOException {
        SparseIndex oi = offsetIndex;
        int entry = oi.floorByValue(position);
        int from = indexedPosition(oi, entry, 0, position + 1);
        long expected = from == 0 ? baseOffset : baseOffset + oi.keyAt(entry);
        BatchScanner scan = new BatchScanner(channel, from, position, fences);
        BatchScanner.Status st;
        while ((st = scan.next()) != BatchScanner.Status.END && st != BatchScanner.Status.BROKEN) {
            expected = st == BatchScanner.Status.FENCED ? scan.fence().nextOffset() : scan.lastOffset() + 1;
        }
        return expected;
    }

    List<Fence> fences() {
        return fences.all();
    }

    // ---------------------------------------------------------------- writing

    Mark mark() {
        return new Mark(size, nextOffset, maxTimestamp, maxTimestampOffset, offsetIndex.count(), timeIndex.count(),
                bytesSinceIndexEntry);
    }

    /**
     * Writes {@code group[from, to)} at the end of the segment, whole batches or the parts of ones
     * built in parts, with as few calls as {@link StagedWriter} can, and indexes them. Their CRCs
     * were checked on append, so the bytes count as verified.
     */
    void append(List<PendingAppend> group, int from, int to, long nowMs) throws IOException {
        int start = size;
        long total = 0;
        for (int i = from; i < to; i++) {
            total += group.get(i).size;
        }
        if (start + total > Integer.MAX_VALUE) {
            throw new IOException("segment " + dataFile + " would exceed 2 GiB");
        }
        space.claim(start + total);
        StagedWriter writer = StagedWriter.at(channel, start);
        for (int i = from; i < to; i++) {
            for (ByteBuffer part : group.get(i).parts) {
                writer.add(part);
            }
        }
        writer.finish();
        int at = start;
        for (int i = from; i < to; i++) {
            PendingAppend p = group.get(i);
            indexBatch(at, p.size, p.baseOffset(), p.lastOffset(), p.maxTimestamp);
            at += p.size;
        }
        if (firstAppendMs < 0) {
            firstAppendMs = nowMs;
        }
        nextOffset = group.get(to - 1).lastOffset() + 1;
        if (verified.position() == start) {
            verified = new Verified(at, nextOffset);
        }
        size = at;
    }

    private void indexBatch(int position, int batchSize, long base, long last, long batchMaxTimestamp) {
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
            maxTimestampOffset = last;
        }
        if (bytesSinceIndexEntry >= indexInterval) {
            offsetIndex.append(base - baseOffset, position);
            if (maxTimestamp != RecordBatch.NO_TIMESTAMP) {
                timeIndex.append(maxTimestamp, (int) (maxTimestampOffset - baseOffset));
            }
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += batchSize;
    }

    /** Undoes writes made after {@code m}: the bytes are cut from the file, the indexes forget them. */
    void rollback(Mark m) throws IOException {
        size = m.size();
        nextOffset = m.nextOffset();
        maxTimestamp = m.maxTimestamp();
        maxTimestampOffset = m.maxTimestampOffset();
        offsetIndex.truncate(m.offsetEntries());
        timeIndex.truncate(m.timeEntries());
        bytesSinceIndexEntry = m.bytesSinceIndexEntry();
        if (verified.position() > m.size()) {
            verified = new Verified(m.size(), m.nextOffset());
        }
        space.truncate(channel, m.size());
        channel.force(true);
    }

    /** Zero-fills the next chunk of the file ahead of the writer when it gets close to the allocated end. */
    void maybePreallocate(Executor preallocator, int segmentBytes) {
        if (!deleted) {
            space.maybeExtend(preallocator, size, segmentBytes);
        }
    }

    void flush() throws IOException {
        channel.force(false);
    }

    /**
     * Makes the segment read-only: forces its data unless {@code force} is false, cuts unused
     * preallocated space, records the final time index entry and writes both indexes.
     */
    void seal(boolean force) throws IOException {
        finish(force);
        offsetIndex.seal();
        timeIndex.seal();
    }

    /** Forces everything and closes the files, leaving a segment that opens without recovery. */
    void closeClean() throws IOException {
        try {
            if (!deleted) {
                finish(true);
                offsetIndex.flush();
                timeIndex.flush();
            }
        } finally {
            closeFiles();
        }
    }

    private void finish(boolean force) throws IOException {
        space.stopAndTrim(channel, size);
        if (force) {
            channel.force(true);
        }
        if (!timeIndex.isSealed() && maxTimestamp != RecordBatch.NO_TIMESTAMP && maxTimestampOffset >= 0) {
            timeIndex.append(maxTimestamp, (int) (maxTimestampOffset - baseOffset));
        }
    }

    void closeFiles() throws IOException {
        try {
            channel.close();
        } finally {
            try {
                closeIndexes();
            } finally {
                for (SparseIndex r : retired) {
                    r.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- reading

    Path file() {
        return dataFile;
    }

    FileChannel channel() {
        return channel;
    }

    int size() {
        return size;
    }

    long nextOffset() {
        return nextOffset;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long firstAppendMs() {
        return firstAppendMs;
    }

    void startAgeClock(long nowMs) {
        if (firstAppendMs < 0 && size > 0) {
            firstAppendMs = nowMs;
        }
    }

    int offsetIndexEntries() {
        return offsetIndex.count();
    }

    /**
     * Where index entry {@code entry} says its batch starts, if the batch there carries the offset
     * the entry names (or a fenced range starts there); otherwise {@code fallback}, and a sealed
     * index is rebuilt for next time. An index damaged after it was checked must send a walk to the
     * wrong place, never make intact data look damaged.
     */
    private int indexedPosition(SparseIndex oi, int entry, int fallback, int limit) throws IOException {
        if (entry < 0) {
            return fallback;
        }
        int position = oi.valueAt(entry);
        if (position >= limit) {
            return fallback;
        }
        if (fences.covering(position) != null) {
            return position;
        }
        if (position + RecordBatch.HEADER_SIZE <= size
                && ChannelReads.baseOffsetAt(channel, position) == baseOffset + oi.keyAt(entry)) {
            return position;
        }
        if (oi.isSealed()) {
            rebuildSealedIndexes("offset index entry " + entry + " does not point at the batch it names");
        }
        return fallback;
    }

    /**
     * The position of the first intact batch below {@code limit} whose last offset is at least
     * {@code offset}, or {@code limit} if there is none. Fenced ranges are stepped over; damage
     * found on the way is fenced off first.
     */
    int positionOf(long offset, int limit) throws IOException {
        ensureIndexesChecked();
        SparseIndex oi = offsetIndex;
        int entry = oi.floorByKey(offset - baseOffset);
        int from = indexedPosition(oi, entry, 0, limit);
        // The walk checks that each batch's offsets follow the last: a damaged base offset would
        // otherwise make the seek skip a batch it should stop at, or stop at one it should skip.
        long first = from == 0 ? baseOffset : baseOffset + oi.keyAt(entry);
        while (true) {
            BatchScanner scan = new BatchScanner(channel, from, limit, fences);
            long expected = first;
            BatchScanner.Status st;
            String damage = null;
            while (damage == null) {
                st = scan.next();
                if (st == BatchScanner.Status.END) {
                    return limit;
                }
                if (st == BatchScanner.Status.FENCED) {
                    expected = scan.fence().nextOffset();
                    continue;
                }
                damage = SegmentCheck.problem(scan, st, expected, false);
                if (damage == null && scan.lastOffset() >= offset) {
                    return scan.position();
                }
                expected = damage == null ? scan.lastOffset() + 1 : expected;
            }
            damageFound(scan.position(), damage);
        }
    }

    /**
     * The end of the last whole batch that ends at or before {@code start + maxBytes}, but at
     * least the end of the batch at {@code start}: a read always makes progress. Stops before
     * the first fenced range after {@code start}.
     */
    int readEnd(int start, int maxBytes, int limit) throws IOException {
        while (true) {
            Fence next = fences.firstOverlapping(start, limit);
            int bound = next == null ? limit : Math.max(start, next.start());
            long target = (long) start + maxBytes;
            if (target >= bound) {
                return bound;
            }
            SparseIndex oi = offsetIndex;
            int from = Math.max(start, indexedPosition(oi, oi.floorByValue((int) target), start, bound));
            BatchScanner scan = new BatchScanner(channel, from, bound, fences);
            int end = from;
            while (true) {
                BatchScanner.Status st = scan.next();
                if (st == BatchScanner.Status.BROKEN) {
                    break;
                }
                if (st != BatchScanner.Status.BATCH || (scan.nextPosition() > target && end > start)) {
                    return end;
                }
                end = scan.nextPosition();
            }
            damageFound(scan.position(), DAMAGED_HEADER);
        }
    }

    /** The offset after the batch that ends at {@code endPosition}; [startPosition, endPosition) holds whole, intact batches. */
    long nextOffsetAt(int startPosition, int endPosition) throws IOException {
        SparseIndex oi = offsetIndex;
        int from = Math.max(startPosition, indexedPosition(oi, oi.floorByValue(endPosition - 1), startPosition, endPosition));
        BatchScanner scan = new BatchScanner(channel, from, endPosition, fences);
        long next = -1;
        BatchScanner.Status st;
        while ((st = scan.next()) != BatchScanner.Status.END) {
            if (st == BatchScanner.Status.BROKEN) {
                throw new CorruptRecordException(dataFile, scan.position(), -1, DAMAGED_HEADER);
            }
            if (st == BatchScanner.Status.BATCH) {
                next = scan.lastOffset() + 1;
            }
        }
        return next;
    }

    /**
     * Checks every batch in [from, to) not already known to be good: its CRC, and that its base
     * offset follows the batch before it (the base offset lies outside the CRC). Fences off the
     * first that fails. Bytes this process wrote were checked on append; recovered bytes were
     * checked at open.
     *
     * @return the position of the first damaged batch, or -1 if all are intact
     */
    int firstDamaged(int from, int to) throws IOException {
        Verified v = verified;
        int start = from <= v.position() ? v.position() : from;
        if (to <= start) {
            return -1;
        }
        long expected = start == v.position() ? v.nextOffset() : offsetBefore(start);
        BatchScanner scan = new BatchScanner(channel, start, to, fences);
        BatchScanner.Status st;
        while ((st = scan.next()) != BatchScanner.Status.END) {
            if (st == BatchScanner.Status.FENCED) {
                return scan.position();
            }
            String damage = SegmentCheck.problem(scan, st, expected, true);
            if (damage != null) {
                damageFound(scan.position(), damage);
                return scan.position();
            }
            expected = scan.lastOffset() + 1;
        }
        markVerified(from, to, expected);
        return -1;
    }

    /**
     * Checks every batch below {@code limit} again, CRCs included, whatever was checked before,
     * and a sealed segment's indexes entry by entry: bytes can rot on disk after they were
     * written. Fences off and reports what fails, reading no faster than {@code throttle} allows.
     */
    void scrub(int limit, Throttle throttle) throws IOException {
        if (offsetIndex.isSealed()) {
            synchronized (this) {
                String problem = indexProblem(true);
                if (problem != null) {
                    rebuildSealedIndexes(problem);
                }
                indexesChecked = true;
            }
        }
        SegmentCheck.walk(channel, 0, limit, baseOffset, fences, true, new SegmentCheck.Visitor() {
            @Override
            public void intact(BatchScanner scan) {
                throttle.acquire(scan.size());
            }

            @Override
            public void damaged(Fence damage) {
                throttle.acquire(damage.end() - damage.start());
                // Bytes a failed write's undo took away since the limit was read are not damage.
                if (damage.start() < size && fences.add(damage)) {
                    damageListener.fenced(LogSegment.this, damage);
                }
            }
        });
    }

    private synchronized void markVerified(int from, int to, long nextOffsetAtTo) {
        // A reader that raced a failed write's undo may have checked bytes that are gone now.
        if (from <= verified.position() && verified.position() < to && to <= size) {
            verified = new Verified(to, nextOffsetAtTo);
        }
    }

    ByteBuffer readBytes(int position, int length) throws IOException {
        return ChannelReads.readBytes(channel, position, length);
    }

    /**
     * The offset of the first record in this segment, below {@code limit}, whose timestamp is
     * at least {@code timestamp}, or -1.
     */
    long offsetForTimestamp(long timestamp, int limit) throws IOException {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        ensureIndexesChecked();
        SparseIndex ti = timeIndex;
        int entry = ti.lowerByKey(timestamp);
        // Every record up to the entry's offset is older than the target.
        int from = entry < 0 ? 0 : positionOf(baseOffset + ti.valueAt(entry), limit);
        while (true) {
            BatchScanner scan = new BatchScanner(channel, from, limit, fences);
            BatchScanner.Status st;
            boolean damaged = false;
            while (!damaged && (st = scan.next()) != BatchScanner.Status.END) {
                if (st == BatchScanner.Status.FENCED || (st == BatchScanner.Status.BATCH && scan.maxTimestamp() < timestamp)) {
                    continue;
                }
                // Fences off a damaged header, CRC or base offset; the walk then starts again.
                damaged = firstDamaged(scan.position(), st == BatchScanner.Status.BROKEN ? limit : scan.nextPosition()) >= 0;
                if (damaged) {
                    continue;
                }
                RecordBatch batch = scan.batch();
                if (batch.compression() != Compression.NONE) {
                    return batch.baseOffset();
                }
                for (Record r : batch.records()) {
                    if (r.timestamp() >= timestamp) {
                        return r.offset();
                    }
                }
            }
            if (!damaged) {
                return -1;
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    boolean tryRetain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                closeFiles();
            } catch (IOException ignored) {
                // the files are already renamed for deletion
            }
            deleteFiles();
        }
    }

    /**
     * Renames the files for deletion (so a crash cannot bring them back) and drops the log's
     * own reference; the files go once every reader has released the segment.
     */
    void markDeleted() throws IOException {
        deleted = true;
        space.stop();
        for (Path p : List.of(dataFile, offsetIndex.file(), timeIndex.file())) {
            if (Files.exists(p)) {
                Files.move(p, p.resolveSibling(p.getFileName() + DELETED_SUFFIX), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        release();
    }

    private void deleteFiles() {
        for (Path p : List.of(dataFile, offsetIndex.file(), timeIndex.file())) {
            try {
                Files.deleteIfExists(p.resolveSibling(p.getFileName() + DELETED_SUFFIX));
            } catch (IOException ignored) {
                // removed at the next open
            }
        }
    }

    boolean isDeleted() {
        return deleted;
    }

    @Override
    public String toString() {
        return "segment " + dataFile + " [" + baseOffset + ", " + nextOffset + "), " + size + " bytes";
    }
}
