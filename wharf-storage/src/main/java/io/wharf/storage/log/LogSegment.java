package io.wharf.storage.log;

import io.wharf.storage.file.FileChannelFactory;
import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file of a log: record batches from {@link #baseOffset} on, with a sparse offset index
 * (relative offset to file position) and a time index (max timestamp so far to relative offset).
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

    private static final int MIN_PREALLOCATION = 64 * 1024;
    private static final int ZERO_PIECE = 256 * 1024;
    private static final int MAX_PREALLOCATION = 8 * 1024 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_PIECE).asReadOnlyBuffer();
    private static final int STAGE_LIMIT = 64 * 1024;
    /** One per writer thread: the few writer threads each reuse theirs for every log. */
    private static final ThreadLocal<ByteBuffer> STAGING = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

    /** A damaged byte range found by recovery or by a read, and the first offset after it. */
    record CorruptRange(int start, int end, long nextValidOffset) {
    }

    /** The writer's state before a write, to undo a write that failed. */
    record Mark(int size, long nextOffset, long maxTimestamp, long maxTimestampOffset,
                int offsetEntries, int timeEntries, int bytesSinceIndexEntry) {
    }

    final long baseOffset;
    private final Path dataFile;
    private final FileChannel channel;
    private final FileChannelFactory channels;
    private final int indexInterval;
    private volatile SparseIndex offsetIndex;
    private volatile SparseIndex timeIndex;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long maxTimestampOffset = -1;
    private volatile int verifiedTo;
    private int bytesSinceIndexEntry;
    private long firstAppendMs = -1;
    private final List<CorruptRange> corrupt = new CopyOnWriteArrayList<>();
    private volatile boolean indexesChecked = true;
    private final List<SparseIndex> retired = new CopyOnWriteArrayList<>();

    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean deleted;

    // Zero-filling ahead of the writer; guarded by `alloc`.
    private final Object alloc = new Object();
    private long allocatedEnd;
    private long zeroingFrom = -1;
    private int preallocations;
    private boolean preallocationScheduled;
    private boolean preallocationStopped;

    private LogSegment(long baseOffset, Path dataFile, FileChannel channel, FileChannelFactory channels, int indexInterval,
                       SparseIndex offsetIndex, SparseIndex timeIndex) {
        this.baseOffset = baseOffset;
        this.dataFile = dataFile;
        this.channel = channel;
        this.channels = channels;
        this.indexInterval = indexInterval;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.nextOffset = baseOffset;
    }

    static Path dataFile(Path dir, long baseOffset) {
        return dir.resolve(fileStem(baseOffset) + DATA_SUFFIX);
    }

    static String fileStem(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /** Creates an empty segment, replacing any leftover files at its base offset. */
    static LogSegment create(Path dir, long baseOffset, LogConfig config, FileChannelFactory channels) throws IOException {
        Path data = dataFile(dir, baseOffset);
        FileChannel ch = channels.open(data, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        try {
            Path oiFile = dir.resolve(fileStem(baseOffset) + INDEX_SUFFIX);
            Path tiFile = dir.resolve(fileStem(baseOffset) + TIME_INDEX_SUFFIX);
            Files.deleteIfExists(oiFile);
            Files.deleteIfExists(tiFile);
            SparseIndex oi = SparseIndex.empty(oiFile);
            SparseIndex ti = SparseIndex.empty(tiFile);
            return new LogSegment(baseOffset, data, ch, channels, config.indexIntervalBytes(), oi, ti);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment.
     *
     * @param recover check every batch's CRC, rebuild the indexes, and cut or fence off damage;
     *                otherwise trust a cleanly closed file and check only its indexes
     * @param last    whether this is the log's newest segment, which alone may have a torn tail
     *                to cut off and stays writable
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, FileChannelFactory channels,
                           boolean recover, boolean last, RecoveryReport.Builder report) throws IOException {
        Path data = dataFile(dir, baseOffset);
        FileChannel ch = channels.open(data, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        try {
            Path oiFile = dir.resolve(fileStem(baseOffset) + INDEX_SUFFIX);
            Path tiFile = dir.resolve(fileStem(baseOffset) + TIME_INDEX_SUFFIX);
            LogSegment s = new LogSegment(baseOffset, data, ch, channels, config.indexIntervalBytes(),
                    SparseIndex.empty(oiFile), SparseIndex.empty(tiFile));
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE) {
                throw new IOException(data + " is larger than 2 GiB, more than a segment may hold");
            }
            if (recover) {
                s.recover((int) fileSize, last, report);
                if (!last) {
                    s.offsetIndex.seal();
                    s.timeIndex.seal();
                }
            } else {
                s.openClean((int) fileSize, oiFile, tiFile, last, report);
            }
            s.allocatedEnd = ch.size();
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- recovery

    /** Validates every batch, rebuilding both indexes; cuts a torn tail or records damage. */
    private void recover(int fileSize, boolean last, RecoveryReport.Builder report) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        int validEnd = 0;
        int start = 0;
        long expected = baseOffset;
        while (true) {
            BatchScanner scan = new BatchScanner(channel, start, fileSize);
            int brokenAt = -1;
            while (true) {
                BatchScanner.Status st = scan.next();
                if (st == BatchScanner.Status.END) {
                    break;
                }
                if (st == BatchScanner.Status.BROKEN || scan.baseOffset() < expected || !scan.batch().isValid()) {
                    brokenAt = scan.position();
                    break;
                }
                indexBatch(scan.position(), scan.size(), scan.baseOffset(), scan.lastOffset(), scan.maxTimestamp());
                expected = scan.lastOffset() + 1;
                validEnd = scan.nextPosition();
            }
            if (brokenAt < 0) {
                break;
            }
            int resume = findValidBatch(brokenAt + 1, fileSize, expected);
            if (resume >= 0) {
                long nextValid = batchBaseOffsetAt(resume);
                corrupt.add(new CorruptRange(brokenAt, resume, nextValid));
                report.corruptRange(dataFile, brokenAt, resume, nextValid);
                start = resume;
                // The damaged bytes hide how many offsets they held; index as a gap up to the next batch.
                bytesSinceIndexEntry = indexInterval;
                continue;
            }
            long dropped = nonZeroBytesFrom(brokenAt, fileSize);
            // Zeros are never data: they are preallocated space a crash left untrimmed, in any
            // segment. Anything else is a torn write in the newest segment, or damage in an older
            // one, whose data was forced before the log rolled past it (unless the log never syncs).
            if (last || dropped == 0) {
                channel.truncate(brokenAt);
                channel.force(true);
                validEnd = brokenAt;
                if (dropped > 0) {
                    report.truncatedTail(dataFile, brokenAt, dropped);
                }
            } else {
                corrupt.add(new CorruptRange(brokenAt, fileSize, -1));
                report.corruptRange(dataFile, brokenAt, fileSize, -1);
                validEnd = fileSize;
            }
            break;
        }
        size = validEnd;
        nextOffset = expected;
        verifiedTo = validEnd;
        report.recoveredSegment(dataFile);
    }

    /**
     * Opens a segment that was sealed or cleanly closed: its file holds whole batches only. The
     * newest segment's indexes are loaded and checked entry by entry; an older segment's are only
     * spot-checked here, so that opening a large log reads little, and checked fully on first use.
     */
    private void openClean(int fileSize, Path oiFile, Path tiFile, boolean last, RecoveryReport.Builder report) throws IOException {
        size = fileSize;
        verifiedTo = 0;
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
            return;
        }
        indexesChecked = last;
        SparseIndex oi = offsetIndex;
        SparseIndex ti = timeIndex;
        int from = oi.count() == 0 ? 0 : oi.valueAt(oi.count() - 1);
        BatchScanner scan = new BatchScanner(channel, from, fileSize);
        long next = baseOffset;
        BatchScanner.Status st;
        while ((st = scan.next()) == BatchScanner.Status.BATCH) {
            next = scan.lastOffset() + 1;
        }
        if (st == BatchScanner.Status.BROKEN) {
            corrupt.add(new CorruptRange(scan.position(), fileSize, -1));
            report.corruptRange(dataFile, scan.position(), fileSize, -1);
        }
        nextOffset = next;
        if (ti.count() > 0) {
            maxTimestamp = ti.keyAt(ti.count() - 1);
            maxTimestampOffset = baseOffset + ti.valueAt(ti.count() - 1);
        }
        bytesSinceIndexEntry = indexInterval;
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
        if (n > 0 && batchBaseOffsetAt(oi.valueAt(n - 1)) != baseOffset + oi.keyAt(n - 1)) {
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
        rebuildIndexesByHeaders(size);
        offsetIndex.seal();
        timeIndex.seal();
    }

    private void closeIndexes() throws IOException {
        offsetIndex.close();
        timeIndex.close();
    }

    /** Rebuilds both indexes from batch headers, without reading the batches' contents. */
    private void rebuildIndexesByHeaders(int fileSize) throws IOException {
        offsetIndex = SparseIndex.empty(offsetIndex.file());
        timeIndex = SparseIndex.empty(timeIndex.file());
        bytesSinceIndexEntry = 0;
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        maxTimestampOffset = -1;
        BatchScanner scan = new BatchScanner(channel, 0, fileSize);
        long next = baseOffset;
        BatchScanner.Status st;
        while ((st = scan.next()) == BatchScanner.Status.BATCH) {
            indexBatch(scan.position(), scan.size(), scan.baseOffset(), scan.lastOffset(), scan.maxTimestamp());
            next = scan.lastOffset() + 1;
        }
        if (st == BatchScanner.Status.BROKEN) {
            int resume = findValidBatch(scan.position() + 1, fileSize, next);
            corrupt.add(new CorruptRange(scan.position(), resume < 0 ? fileSize : resume,
                    resume < 0 ? -1 : batchBaseOffsetAt(resume)));
        }
        nextOffset = next;
        offsetIndex.flush();
        timeIndex.flush();
    }

    /**
     * The first position at or after {@code from} where a batch with a valid CRC starts whose
     * base offset is at least {@code minOffset} and plausibly close to it, or -1. Used to tell
     * damage in the middle of a segment (valid data follows) from a torn tail (nothing does).
     */
    private int findValidBatch(int from, int limit, long minOffset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024).order(ByteOrder.BIG_ENDIAN);
        long pos = from;
        while (pos + RecordBatch.HEADER_SIZE <= limit) {
            buf.clear();
            int want = (int) Math.min(buf.capacity(), limit - pos);
            buf.limit(want);
            readFully(buf, pos);
            buf.flip();
            int candidates = buf.limit() - RecordBatch.HEADER_SIZE;
            for (int i = 0; i <= candidates; i++) {
                if (buf.get(i + 16) != RecordBatch.MAGIC) {
                    continue;
                }
                long base = buf.getLong(i);
                int declared = RecordBatch.sizeAt(buf, i);
                if (base < minOffset || base - minOffset > Integer.MAX_VALUE || declared < 0
                        || pos + i + declared > limit) {
                    continue;
                }
                ByteBuffer candidate = readBytes((int) (pos + i), declared);
                try {
                    if (RecordBatch.wrap(candidate).isValid()) {
                        return (int) (pos + i);
                    }
                } catch (InvalidRecordException notABatch) {
                    // keep searching
                }
            }
            pos += Math.max(1, candidates + 1);
        }
        return -1;
    }

    private long nonZeroBytesFrom(int from, int limit) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long lastNonZero = from - 1;
        long pos = from;
        while (pos < limit) {
            buf.clear().limit((int) Math.min(buf.capacity(), limit - pos));
            readFully(buf, pos);
            buf.flip();
            for (int i = 0; i < buf.limit(); i++) {
                if (buf.get(i) != 0) {
                    lastNonZero = pos + i;
                }
            }
            pos += buf.limit();
        }
        return lastNonZero - from + 1;
    }

    private long batchBaseOffsetAt(int position) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        readFully(b, position);
        return b.getLong(0);
    }

    // ---------------------------------------------------------------- writing

    Mark mark() {
        return new Mark(size, nextOffset, maxTimestamp, maxTimestampOffset, offsetIndex.count(), timeIndex.count(),
                bytesSinceIndexEntry);
    }

    /**
     * Writes {@code group[from, to)} at the end of the segment and indexes them. Small heap
     * batches are copied into one direct staging buffer and written with one call, the copy the
     * JDK would otherwise make per buffer; large or direct ones are written as they are. Their
     * CRCs were checked on append, so the bytes count as verified.
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
        claimSpace(start + total);
        ByteBuffer stage = STAGING.get().clear();
        long pos = start;
        for (int i = from; i < to; i++) {
            ByteBuffer b = group.get(i).buffer.duplicate();
            if (!b.isDirect() && b.remaining() <= STAGE_LIMIT) {
                if (stage.remaining() < b.remaining()) {
                    pos += writeFully(stage.flip(), pos);
                    stage.clear();
                }
                stage.put(b);
            } else {
                if (stage.position() > 0) {
                    pos += writeFully(stage.flip(), pos);
                    stage.clear();
                }
                pos += writeFully(b, pos);
            }
        }
        if (stage.position() > 0) {
            pos += writeFully(stage.flip(), pos);
        }
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
        if (verifiedTo == start) {
            verifiedTo = at;
        }
        size = at;
    }

    private int writeFully(ByteBuffer b, long position) throws IOException {
        int n = b.remaining();
        long p = position;
        while (b.hasRemaining()) {
            p += channel.write(b, p);
        }
        return n;
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
        verifiedTo = Math.min(verifiedTo, m.size());
        synchronized (alloc) {
            awaitZeroing(Long.MAX_VALUE);
            channel.truncate(m.size());
            allocatedEnd = m.size();
        }
        channel.force(true);
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
        synchronized (alloc) {
            preallocationStopped = true;
            awaitZeroing(Long.MAX_VALUE);
            if (channel.size() != size) {
                channel.truncate(size);
            }
            allocatedEnd = size;
        }
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

    // ---------------------------------------------------------------- preallocation

    /**
     * Reserves [.., end) for the writer: waits for a zero-fill that overlaps it, then moves the
     * allocation mark so the preallocator never writes zeros over data.
     */
    private void claimSpace(long end) throws IOException {
        synchronized (alloc) {
            awaitZeroing(end);
            if (end > allocatedEnd) {
                allocatedEnd = end;
            }
        }
    }

    private void awaitZeroing(long end) throws IOException {
        boolean interrupted = false;
        while (zeroingFrom >= 0 && zeroingFrom < end) {
            try {
                alloc.wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Schedules zero-filling of the next chunk of the file when the writer gets close to the end
     * of what is already allocated. Chunks start small, so a quiet log costs little disk, and
     * double up to 8 MiB for busy ones.
     */
    void maybePreallocate(Executor preallocator, int segmentBytes) {
        synchronized (alloc) {
            if (preallocationStopped || preallocationScheduled || deleted) {
                return;
            }
            long chunk = Math.min(MAX_PREALLOCATION, (long) MIN_PREALLOCATION << Math.min(preallocations, 10));
            if (allocatedEnd - size >= chunk / 2 || allocatedEnd >= segmentBytes) {
                return;
            }
            preallocationScheduled = true;
            long to = Math.min(segmentBytes, allocatedEnd + chunk);
            try {
                preallocator.execute(() -> zeroFill(to));
            } catch (RejectedExecutionException shuttingDown) {
                preallocationScheduled = false;
            }
        }
    }

    /**
     * Zero-fills up to {@code to} in pieces written with O_DSYNC through a channel of its own. Each
     * piece is on disk before the next starts, so the writer's fdatasync never has to flush a
     * backlog of zeros (on ext4 it would: one file's fsync writes out all of that file's dirty
     * pages), and the allocation mark advances piece by piece, so the writer waits for at most one.
     */
    private void zeroFill(long to) {
        synchronized (alloc) {
            preallocationScheduled = false;
            if (preallocationStopped || deleted || to <= allocatedEnd) {
                return;
            }
        }
        boolean ok = false;
        try (FileChannel zeros = channels.open(dataFile, Set.of(StandardOpenOption.WRITE, StandardOpenOption.DSYNC))) {
            while (true) {
                long from;
                long pieceEnd;
                synchronized (alloc) {
                    from = allocatedEnd;
                    if (preallocationStopped || deleted || from >= to) {
                        break;
                    }
                    pieceEnd = Math.min(to, from + ZERO_PIECE);
                    zeroingFrom = from;
                }
                try {
                    long pos = from;
                    while (pos < pieceEnd) {
                        ByteBuffer z = ZEROS.duplicate();
                        z.limit((int) Math.min(z.capacity(), pieceEnd - pos));
                        pos += zeros.write(z, pos);
                    }
                } finally {
                    synchronized (alloc) {
                        allocatedEnd = Math.max(allocatedEnd, pieceEnd);
                        zeroingFrom = -1;
                        alloc.notifyAll();
                    }
                }
            }
            ok = true;
        } catch (IOException e) {
            // Preallocation only saves fsync work; without it appends extend the file themselves.
        } finally {
            synchronized (alloc) {
                if (ok) {
                    preallocations++;
                } else {
                    preallocationStopped = true;
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

    List<CorruptRange> corruptRanges() {
        return corrupt;
    }

    /**
     * The position of the first batch below {@code limit} whose last offset is at least
     * {@code offset}, or {@code limit} if there is none.
     */
    int positionOf(long offset, int limit) throws IOException {
        ensureIndexesChecked();
        SparseIndex oi = offsetIndex;
        int entry = oi.floorByKey(offset - baseOffset);
        int from = entry < 0 ? 0 : oi.valueAt(entry);
        if (from >= limit) {
            from = 0;
        }
        if (entry >= 0 && from < limit && batchBaseOffsetAt(from) != baseOffset + oi.keyAt(entry)) {
            // Damaged after it was checked: walk from the start now, rebuild for next time.
            from = 0;
            if (oi.isSealed()) {
                rebuildSealedIndexes("offset index entry " + entry + " does not point at the batch it names");
            }
        }
        BatchScanner scan = new BatchScanner(channel, from, limit);
        while (true) {
            BatchScanner.Status st = scan.next();
            if (st == BatchScanner.Status.END) {
                return limit;
            }
            if (st == BatchScanner.Status.BROKEN) {
                throw corruptAt(scan.position(), "the batch header is damaged");
            }
            if (scan.lastOffset() >= offset) {
                return scan.position();
            }
        }
    }

    /**
     * The end of the last whole batch that ends at or before {@code start + maxBytes}, but at
     * least the end of the batch at {@code start}: a read always makes progress.
     */
    int readEnd(int start, int maxBytes, int limit) throws IOException {
        long target = (long) start + maxBytes;
        if (target >= limit) {
            return limit;
        }
        SparseIndex oi = offsetIndex;
        int entry = oi.floorByValue((int) target);
        int from = entry < 0 ? start : Math.max(start, oi.valueAt(entry));
        BatchScanner scan = new BatchScanner(channel, from, limit);
        int end = from;
        while (true) {
            BatchScanner.Status st = scan.next();
            if (st == BatchScanner.Status.BROKEN) {
                if (end > start) {
                    return end;
                }
                throw corruptAt(scan.position(), "the batch header is damaged");
            }
            if (st == BatchScanner.Status.END || (scan.nextPosition() > target && end > start)) {
                return end;
            }
            end = scan.nextPosition();
        }
    }

    /** The offset after the batch that ends at {@code position}. */
    long nextOffsetAt(int startPosition, int endPosition) throws IOException {
        SparseIndex oi = offsetIndex;
        int entry = oi.floorByValue(endPosition - 1);
        int from = entry < 0 ? startPosition : Math.max(startPosition, oi.valueAt(entry));
        BatchScanner scan = new BatchScanner(channel, from, endPosition);
        long next = -1;
        BatchScanner.Status st;
        while ((st = scan.next()) == BatchScanner.Status.BATCH) {
            next = scan.lastOffset() + 1;
        }
        if (st == BatchScanner.Status.BROKEN) {
            throw corruptAt(scan.position(), "the batch header is damaged");
        }
        return next;
    }

    /**
     * Checks the CRC of every batch in [from, to) not already known to be good. Bytes this
     * process wrote were checked on append; recovered bytes were checked at open.
     */
    void verify(int from, int to) throws IOException {
        checkKnownDamage(from, to);
        int verified = verifiedTo;
        int start = from <= verified ? verified : from;
        if (to <= start) {
            return;
        }
        BatchScanner scan = new BatchScanner(channel, start, to);
        BatchScanner.Status st;
        while ((st = scan.next()) == BatchScanner.Status.BATCH) {
            if (!scan.batch().isValid()) {
                throw corruptAt(scan.position(), "its CRC does not match its content");
            }
        }
        if (st == BatchScanner.Status.BROKEN) {
            throw corruptAt(scan.position(), "the batch header is damaged");
        }
        markVerified(from, to);
    }

    /** Reads [from, from + length), which must be whole batches, checking what is not yet verified. */
    ByteBuffer readVerified(int from, int length) throws IOException {
        int to = from + length;
        checkKnownDamage(from, to);
        ByteBuffer bytes = readBytes(from, length);
        int verified = verifiedTo;
        if (to <= verified) {
            return bytes;
        }
        int pos = 0;
        while (pos < length) {
            int n = RecordBatch.sizeAt(bytes, pos);
            if (n < RecordBatch.HEADER_SIZE || pos + n > length || bytes.get(pos + 16) != RecordBatch.MAGIC) {
                throw corruptAt(from + pos, "the batch header is damaged");
            }
            if (from + pos + n > verified && !RecordBatch.wrap(bytes.slice(pos, n)).isValid()) {
                throw corruptAt(from + pos, "its CRC does not match its content");
            }
            pos += n;
        }
        markVerified(from, to);
        return bytes;
    }

    private void checkKnownDamage(int from, int to) {
        for (CorruptRange r : corrupt) {
            if (r.start() < to && r.end() > from) {
                throw new CorruptRecordException(dataFile, r.start(), r.nextValidOffset(),
                        "the batch failed its checks");
            }
        }
    }

    private synchronized void markVerified(int from, int to) {
        if (from <= verifiedTo && verifiedTo < to) {
            verifiedTo = to;
        }
    }

    /** Describes damage found by a read, remembering it so later reads fail fast. */
    private CorruptRecordException corruptAt(int position, String detail) throws IOException {
        int resume = findValidBatch(position + 1, size, baseOffset);
        long nextValid = resume < 0 ? -1 : batchBaseOffsetAt(resume);
        if (corrupt.stream().noneMatch(r -> r.start() == position)) {
            corrupt.add(new CorruptRange(position, resume < 0 ? size : resume, nextValid));
        }
        return new CorruptRecordException(dataFile, position, nextValid, detail);
    }

    ByteBuffer readBytes(int position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        readFully(b, position);
        b.flip();
        if (b.remaining() < length) {
            throw new IOException(dataFile + " ends before byte " + (position + length));
        }
        return b;
    }

    private void readFully(ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, p);
            if (n < 0) {
                return;
            }
            p += n;
        }
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
        BatchScanner scan = new BatchScanner(channel, from, limit);
        BatchScanner.Status st;
        while ((st = scan.next()) == BatchScanner.Status.BATCH) {
            if (scan.maxTimestamp() < timestamp) {
                continue;
            }
            RecordBatch batch = scan.batch();
            if (!batch.isValid()) {
                throw corruptAt(scan.position(), "its CRC does not match its content");
            }
            if (batch.compression() != io.wharf.storage.record.Compression.NONE) {
                return batch.baseOffset();
            }
            for (Record r : batch.records()) {
                if (r.timestamp() >= timestamp) {
                    return r.offset();
                }
            }
        }
        if (st == BatchScanner.Status.BROKEN) {
            throw corruptAt(scan.position(), "the batch header is damaged");
        }
        return -1;
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
        synchronized (alloc) {
            preallocationStopped = true;
        }
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
