package io.wharf.storage.log;

/**
 * How one log stores, rolls, forces and retains its data. Immutable; derive variants with the
 * {@code with...} methods.
 *
 * @param segmentBytes       roll to a new segment before a segment would exceed this size
 * @param segmentMs          roll a segment once its first batch is this old (ms)
 * @param indexIntervalBytes bytes between two entries of the sparse offset and time indexes
 * @param retentionBytes     delete the oldest segments while the log is larger than this; -1 keeps all
 * @param retentionMs        delete segments whose newest record is older than this (ms); -1 keeps all
 * @param fsync              when appends are forced to disk, and so when they complete
 * @param preallocate        zero-fill segment space ahead of the writer, so that fsync has no
 *                           file-size change to record
 */
public record LogConfig(int segmentBytes, long segmentMs, int indexIntervalBytes, long retentionBytes,
                        long retentionMs, FsyncPolicy fsync, boolean preallocate) {

    public static final int DEFAULT_SEGMENT_BYTES = 1 << 30;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 3600 * 1000;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;

    public static final LogConfig DEFAULT = new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS,
            DEFAULT_INDEX_INTERVAL_BYTES, -1, -1, FsyncPolicy.ALWAYS, true);

    public LogConfig {
        if (segmentBytes < 1024) {
            throw new IllegalArgumentException("segment size must be at least 1024 bytes, got " + segmentBytes);
        }
        if (segmentMs <= 0) {
            throw new IllegalArgumentException("segment age must be positive, got " + segmentMs + " ms");
        }
        if (indexIntervalBytes < 0) {
            throw new IllegalArgumentException("index interval must not be negative, got " + indexIntervalBytes);
        }
        if (retentionBytes < -1 || retentionMs < -1) {
            throw new IllegalArgumentException("retention must be -1 (keep all) or a limit");
        }
        if (fsync == null) {
            throw new IllegalArgumentException("an fsync policy is required");
        }
    }

    public LogConfig withSegmentBytes(int v) {
        return new LogConfig(v, segmentMs, indexIntervalBytes, retentionBytes, retentionMs, fsync, preallocate);
    }

    public LogConfig withSegmentMs(long v) {
        return new LogConfig(segmentBytes, v, indexIntervalBytes, retentionBytes, retentionMs, fsync, preallocate);
    }

    public LogConfig withIndexIntervalBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, v, retentionBytes, retentionMs, fsync, preallocate);
    }

    public LogConfig withRetentionBytes(long v) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, v, retentionMs, fsync, preallocate);
    }

    public LogConfig withRetentionMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, retentionBytes, v, fsync, preallocate);
    }

    public LogConfig withFsync(FsyncPolicy v) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, retentionBytes, retentionMs, v, preallocate);
    }

    public LogConfig withPreallocate(boolean v) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, retentionBytes, retentionMs, fsync, v);
    }
}
