package io.wharf.storage.log;

import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Walks the batches of one segment file between two byte positions, reading the file in
 * chunks so that a walk over many small batches costs few system calls. Reports where the
 * structure breaks instead of throwing, so recovery and reads can each decide what a break means,
 * and steps over ranges already fenced off as damaged, reporting each as it passes.
 *
 * <p>Not thread-safe; every walk has its own scanner.
 */
final class BatchScanner {

    enum Status {
        /** A batch whose header is well-formed and which ends within the limit. */
        BATCH,
        /** The limit was reached exactly. */
        END,
        /** The header at the current position is impossible (bad length or magic), or the batch runs past the limit. */
        BROKEN,
        /** A fenced-off range starts here (see {@link #fence()}); the walk resumes after it. */
        FENCED
    }

    private static final int CHUNK = 64 * 1024;

    private final FileChannel channel;
    private final int limit;
    private final Fences fences;
    private Fence fence;
    private ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.BIG_ENDIAN);
    private long chunkStart = -1;
    private int position;
    private int next;
    private int size;

    BatchScanner(FileChannel channel, int start, int limit, Fences fences) {
        this.channel = channel;
        this.limit = limit;
        this.fences = fences;
        this.next = start;
    }

    Status next() throws IOException {
        position = next;
        size = 0;
        fence = null;
        if (position >= limit) {
            return Status.END;
        }
        Fence f = fences.covering(position);
        if (f != null) {
            fence = f;
            next = Math.max(f.end(), position + 1);
            return Status.FENCED;
        }
        if (limit - position < RecordBatch.HEADER_SIZE || !load(position, RecordBatch.HEADER_SIZE)) {
            return Status.BROKEN;
        }
        int at = (int) (position - chunkStart);
        int declared = RecordBatch.sizeAt(chunk, at);
        if (declared < RecordBatch.HEADER_SIZE
                || chunk.get(at + 16) != RecordBatch.MAGIC
                || chunk.getInt(at + 23) < 0
                || (long) position + declared > limit) {
            return Status.BROKEN;
        }
        size = declared;
        next = position + declared;
        return Status.BATCH;
    }

    int position() {
        return position;
    }

    /** The fenced range just stepped over, after {@link Status#FENCED}. */
    Fence fence() {
        return fence;
    }

    int size() {
        return size;
    }

    int nextPosition() {
        return next;
    }

    long baseOffset() {
        return chunk.getLong(at());
    }

    long lastOffset() {
        return baseOffset() + chunk.getInt(at() + 23);
    }

    long maxTimestamp() {
        return chunk.getLong(at() + 35);
    }

    /** The whole current batch, read from the file if the chunk does not hold it. */
    RecordBatch batch() throws IOException {
        if (!load(position, size)) {
            throw new IOException("segment ends inside the batch at " + position);
        }
        int at = at();
        return RecordBatch.wrap(chunk.duplicate().position(at).limit(at + size));
    }

    /** Whether the current batch's CRC matches its content; false too for a batch whose header cannot be decoded. */
    boolean batchIsIntact() throws IOException {
        try {
            return batch().isValid();
        } catch (InvalidRecordException malformed) {
            return false;
        }
    }

    private int at() {
        return (int) (position - chunkStart);
    }

    /** Makes [pos, pos + len) available in the chunk; false if the file is shorter. */
    private boolean load(long pos, int len) throws IOException {
        if (chunkStart >= 0 && pos >= chunkStart && pos + len <= chunkStart + chunk.limit()) {
            return true;
        }
        if (chunk.capacity() < len) {
            chunk = ByteBuffer.allocate(len).order(ByteOrder.BIG_ENDIAN);
        }
        chunk.clear();
        int want = (int) Math.min(chunk.capacity(), Math.max(len, limit - pos));
        chunk.limit(want);
        ChannelReads.readFully(channel, chunk, pos);
        chunk.flip();
        chunkStart = pos;
        return chunk.limit() >= len;
    }
}
