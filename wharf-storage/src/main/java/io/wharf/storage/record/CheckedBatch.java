package io.wharf.storage.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One record batch whose bytes are known to match their CRC: checked once, when it was built or
 * when it arrived, so that a log appending it need not hash it again.
 *
 * <p>A batch is one buffer, or, when {@link RecordBatchBuilder#gatherValuesFrom} built it, the
 * buffers it is written from in order: the builder's own bytes (the header always whole in the
 * first) between record values it did not copy. A log writes the parts one after another without
 * joining them first.
 *
 * <p>The bytes are the caller's until appended; after that the log writes the base offset into
 * them and keeps them until written, as {@link io.wharf.storage.log.Log#append} says.
 */
public final class CheckedBatch {

    private final ByteBuffer[] parts;
    private final int size;
    private final int lastOffsetDelta;
    private final long maxTimestamp;
    private RecordBatch batch;

    private CheckedBatch(ByteBuffer[] parts, int size, RecordBatch batch) {
        this.parts = parts;
        this.size = size;
        this.batch = batch;
        ByteBuffer header = parts[0].slice().order(ByteOrder.BIG_ENDIAN);
        this.lastOffsetDelta = header.getInt(RecordBatch.LAST_OFFSET_DELTA);
        this.maxTimestamp = header.getLong(RecordBatch.MAX_TIMESTAMP);
    }

    /**
     * Checks a batch that came from elsewhere (a client, a file): its header describes the bytes
     * and its CRC matches.
     *
     * @throws InvalidRecordException if it does not
     */
    public static CheckedBatch check(ByteBuffer bytes) {
        RecordBatch b = RecordBatch.wrap(bytes);
        b.ensureValid();
        return new CheckedBatch(new ByteBuffer[] {bytes}, bytes.remaining(), b);
    }

    /** A batch {@link RecordBatchBuilder} just built and hashed. */
    static CheckedBatch built(ByteBuffer bytes) {
        return new CheckedBatch(new ByteBuffer[] {bytes}, bytes.remaining(), null);
    }

    /** A batch {@link RecordBatchBuilder} built and hashed in parts, {@code size} bytes in all. */
    static CheckedBatch gathered(ByteBuffer[] parts, int size) {
        return new CheckedBatch(parts, size, null);
    }

    /** The buffers the batch is written from, in order, each from its position to its limit; the first holds the header. */
    public ByteBuffer[] parts() {
        return parts;
    }

    /** The batch's size in bytes, all parts together. */
    public int sizeInBytes() {
        return size;
    }

    /** The offset of the batch's last record relative to its first, from the header. */
    public int lastOffsetDelta() {
        return lastOffsetDelta;
    }

    /** The largest timestamp of the batch's records, from the header. */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /** The batch in one buffer, from its position to its limit; a batch built in parts is joined into a new one. */
    public ByteBuffer bytes() {
        if (parts.length == 1) {
            return parts[0];
        }
        ByteBuffer joined = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        for (ByteBuffer p : parts) {
            joined.put(p.duplicate());
        }
        return joined.flip();
    }

    /** The batch's header and records, read from its bytes (joined, if built in parts). */
    public RecordBatch batch() {
        if (batch == null) {
            batch = RecordBatch.wrap(bytes());
        }
        return batch;
    }
}
