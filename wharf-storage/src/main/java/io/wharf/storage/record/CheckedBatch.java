package io.wharf.storage.record;

import java.nio.ByteBuffer;

/**
 * One record batch whose bytes are known to match their CRC: checked once, when it was built or
 * when it arrived, so that a log appending it need not hash it again.
 *
 * <p>The bytes are the caller's until appended; after that the log writes the base offset into
 * them and keeps them until written, as {@link io.wharf.storage.log.Log#append} says.
 */
public final class CheckedBatch {

    private final ByteBuffer bytes;
    private final RecordBatch batch;

    private CheckedBatch(ByteBuffer bytes, RecordBatch batch) {
        this.bytes = bytes;
        this.batch = batch;
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
        return new CheckedBatch(bytes, b);
    }

    /** A batch {@link RecordBatchBuilder} just built and hashed. */
    static CheckedBatch built(ByteBuffer bytes) {
        return new CheckedBatch(bytes, RecordBatch.wrap(bytes));
    }

    /** The batch's bytes, from the buffer's position to its limit. */
    public ByteBuffer bytes() {
        return bytes;
    }

    /** The batch's header and records, read from the same bytes. */
    public RecordBatch batch() {
        return batch;
    }
}
