package io.wharf.storage.record;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One decoded record. Key and value are read-only views into the batch they came from and
 * stay valid only as long as that batch's buffer does.
 *
 * @param offset    absolute offset in its log
 * @param timestamp milliseconds since the epoch
 * @param key       key bytes, or null
 * @param value     value bytes, or null
 * @param headers   headers in the order they were written
 */
public record Record(long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {

    /** The value copied into a new array, or null. */
    public byte[] valueBytes() {
        return copy(value);
    }

    /** The key copied into a new array, or null. */
    public byte[] keyBytes() {
        return copy(key);
    }

    private static byte[] copy(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }
}
