package io.wharf.storage.log;

import io.wharf.storage.Throttle;
import io.wharf.storage.file.AtomicFile;
import io.wharf.storage.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Checks the files of one log directory that no broker has open, reading only: every batch of
 * every segment (structure, offsets, CRC), every index entry against the batch it names, and the
 * small files (checkpoint, name, damage record, clean-shutdown marker) against their checksums.
 * It repairs nothing; the next open does what it reports.
 *
 * <p>Each verification runs on the calling thread, with state of its own.
 */
public final class LogVerifier {

    /**
     * Something wrong with one file.
     *
     * @param file        the file
     * @param what        what is wrong, in a few words
     * @param startByte   the first byte concerned, or -1 for the whole file
     * @param endByte     the byte after the last one concerned, or -1
     * @param firstOffset the first offset lost, or -1 if none or not known
     * @param nextOffset  the first offset after them, or -1
     * @param damage      true if data is lost; false for what the next open repairs without loss
     *                    (a torn tail after a crash, an index to rebuild)
     */
    public record Finding(Path file, String what, long startByte, long endByte, long firstOffset, long nextOffset,
                          boolean damage) {
    }

    private final Throttle throttle;
    private final List<Finding> findings = new ArrayList<>();

    private LogVerifier(Throttle throttle) {
        this.throttle = throttle;
    }

    /** Verifies the log in {@code dir}, reading no faster than {@code throttle} allows. */
    public static List<Finding> verify(Path dir, Throttle throttle) throws IOException {
        LogVerifier v = new LogVerifier(throttle);
        v.run(dir);
        return v.findings;
    }

    private void run(Path dir) throws IOException {
        Path marker = dir.resolve(Log.CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        for (Path small : List.of(marker, dir.resolve(LogCheckpoint.FILE), dir.resolve(DamageRegistry.FILE),
                dir.resolve("log.name"))) {
            checkSmallFile(small);
        }
        LogCheckpoint checkpoint = LogCheckpoint.read(dir, dir.getFileName().toString());
        long known = Math.max(checkpoint.endOffset(), LogCheckpoint.readEndMarker(marker));
        TreeMap<Long, Path> segments = segments(dir);
        long previousEnd = -1;
        Path previous = null;
        for (var e : segments.entrySet()) {
            long base = e.getKey();
            if (previous != null && previousEnd >= 0 && previousEnd < base) {
                findings.add(new Finding(previous, "the segment ends before the next one begins", -1, -1, previousEnd, base, true));
            }
            boolean last = base == segments.lastKey();
            previousEnd = checkSegment(dir, base, e.getValue(), last, clean, last ? known : segments.higherKey(base));
            previous = e.getValue();
        }
    }

    private void checkSmallFile(Path file) {
        try {
            if (file.getFileName().toString().equals(Log.CLEAN_SHUTDOWN_FILE) && Files.exists(file) && Files.size(file) == 0) {
                // Earlier versions marked a clean shutdown with an empty file.
                return;
            }
            AtomicFile.read(file);
        } catch (IOException | RuntimeException e) {
            findings.add(new Finding(file, "damaged: " + e.getMessage(), -1, -1, -1, -1, true));
        }
    }

    /** @return the offset after the segment's last intact batch */
    private long checkSegment(Path dir, long base, Path file, boolean last, boolean clean, long followingOffset)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int size = (int) Math.min(ch.size(), Integer.MAX_VALUE);
            // A damaged tail reported here accounts for the offsets up to the next segment too.
            long[] tailEnd = {-1};
            long end = SegmentCheck.walk(ch, 0, size, base, new Fences(), true, new SegmentCheck.Visitor() {
                @Override
                public void intact(BatchScanner scan) {
                    throttle.acquire(scan.size());
                }

                @Override
                public void damaged(Fence f) throws IOException {
                    throttle.acquire(f.end() - f.start());
                    boolean runsToEnd = f.nextOffset() < 0;
                    if (runsToEnd && DamageSearch.nonZeroBytesFrom(ch, f.start(), f.end()) == 0) {
                        return;
                    }
                    long next = runsToEnd ? Math.max(f.firstOffset(), followingOffset) : f.nextOffset();
                    if (runsToEnd) {
                        tailEnd[0] = next;
                    }
                    if (runsToEnd && last && !clean && f.firstOffset() >= followingOffset) {
                        findings.add(new Finding(file, "a torn tail from a crash, cut off at the next start",
                                f.start(), f.end(), -1, -1, false));
                    } else {
                        findings.add(new Finding(file, "damaged: " + f.reason(), f.start(), f.end(), f.firstOffset(),
                                next, true));
                    }
                }
            });
            if (!last || clean) {
                checkIndexes(dir, base, file, ch);
            }
            return Math.max(end, tailEnd[0]);
        }
    }

    private void checkIndexes(Path dir, long base, Path file, FileChannel data) throws IOException {
        Path offsetIndex = dir.resolve(LogSegment.fileStem(base) + LogSegment.INDEX_SUFFIX);
        Path timeIndex = dir.resolve(LogSegment.fileStem(base) + LogSegment.TIME_INDEX_SUFFIX);
        for (Path index : List.of(offsetIndex, timeIndex)) {
            if (!Files.exists(index)) {
                findings.add(new Finding(index, "missing; rebuilt at the next start", -1, -1, -1, -1, false));
                return;
            }
            if (Files.size(index) % SparseIndex.ENTRY_SIZE != 0) {
                findings.add(new Finding(index, "not a whole number of entries; rebuilt at the next start", -1, -1, -1, -1, false));
                return;
            }
        }
        ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(offsetIndex));
        throttle.acquire(entries.capacity());
        long size = data.size();
        for (int i = 0; entries.remaining() >= SparseIndex.ENTRY_SIZE; i++) {
            long key = entries.getLong();
            int position = entries.getInt();
            if (position < 0 || position + RecordBatch.HEADER_SIZE > size
                    || ChannelReads.baseOffsetAt(data, position) != base + key) {
                findings.add(new Finding(offsetIndex, "entry " + i + " does not point at the batch it names; rebuilt at the next start",
                        -1, -1, -1, -1, false));
                return;
            }
        }
        ByteBuffer times = ByteBuffer.wrap(Files.readAllBytes(timeIndex));
        long previous = Long.MIN_VALUE;
        for (int i = 0; times.remaining() >= SparseIndex.ENTRY_SIZE; i++) {
            long timestamp = times.getLong();
            int relative = times.getInt();
            if (timestamp <= previous || relative < 0) {
                findings.add(new Finding(timeIndex, "entry " + i + " is out of order; rebuilt at the next start",
                        -1, -1, -1, -1, false));
                return;
            }
            previous = timestamp;
        }
    }

    private static TreeMap<Long, Path> segments(Path dir) throws IOException {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + LogSegment.DATA_SUFFIX)) {
            for (Path p : files) {
                String f = p.getFileName().toString();
                try {
                    out.put(Long.parseLong(f.substring(0, f.length() - LogSegment.DATA_SUFFIX.length())), p);
                } catch (NumberFormatException notASegment) {
                    // not ours
                }
            }
        }
        return out;
    }
}
