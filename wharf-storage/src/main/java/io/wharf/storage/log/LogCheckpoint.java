package io.wharf.storage.log;

import io.wharf.storage.file.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * What a log knows about itself between runs, written at every roll and at a clean close: where
 * recovery must start checking, the first readable offset, and the end offset the log had
 * reached. The end offset is what keeps offsets from being handed out twice: whatever happens to
 * the files, a log reopens with its next offset at least there.
 *
 * @param recoveryPoint the base offset of the segment that was active when this was written; an
 *                      unclean open checks every batch from there on
 * @param startOffset   the first readable offset
 * @param endOffset     offsets below this had been written (and, under an fsync policy, forced)
 */
record LogCheckpoint(long recoveryPoint, long startOffset, long endOffset) {

    static final String FILE = "log.checkpoint";
    static final LogCheckpoint NONE = new LogCheckpoint(0, 0, 0);

    private static final Logger LOG = LoggerFactory.getLogger(LogCheckpoint.class);
    private static final int V1 = 1;
    private static final int V2 = 2;

    /** The checkpoint in {@code dir}; a missing or damaged one means "check everything, assume nothing". */
    static LogCheckpoint read(Path dir, String log) {
        Path file = dir.resolve(FILE);
        try {
            return AtomicFile.read(file).map(bytes -> {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                int version = bytes.length >= 4 ? b.getInt() : -1;
                if (version == V1 && bytes.length == 20) {
                    return new LogCheckpoint(b.getLong(), b.getLong(), 0);
                }
                if (version == V2 && bytes.length == 28) {
                    return new LogCheckpoint(b.getLong(), b.getLong(), b.getLong());
                }
                LOG.warn("log {}: {} has an unknown format; checking every segment", log, file);
                return NONE;
            }).orElse(NONE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("log {}: cannot read {} ({}); checking every segment", log, file, e.getMessage());
            return NONE;
        }
    }

    /** The end offset a clean-shutdown marker records, or 0 if it records none or is damaged. */
    static long readEndMarker(Path marker) {
        try {
            return AtomicFile.read(marker).filter(b -> b.length == 8).map(b -> ByteBuffer.wrap(b).getLong()).orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Marks a log as closed cleanly at {@code endOffset}. */
    static void writeEndMarker(Path marker, long endOffset) throws IOException {
        AtomicFile.write(marker, ByteBuffer.allocate(8).putLong(endOffset).array());
    }

    void write(Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28).putInt(V2).putLong(recoveryPoint).putLong(startOffset).putLong(endOffset);
        AtomicFile.write(dir.resolve(FILE), b.array());
    }
}
