package io.wharf.storage.record;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Zig-zag variable-length integers as used inside record batches: seven bits per byte,
 * least significant group first, the high bit set on every byte but the last.
 */
public final class Varints {

    private Varints() {
    }

    public static int sizeOfVarint(int value) {
        return sizeOfUnsignedVarlong(zigzag(value) & 0xFFFFFFFFL);
    }

    public static int sizeOfVarlong(long value) {
        return sizeOfUnsignedVarlong(zigzag(value));
    }

    private static int sizeOfUnsignedVarlong(long v) {
        // One byte per started group of seven bits, at least one.
        int bits = 64 - Long.numberOfLeadingZeros(v | 1);
        return (bits + 6) / 7;
    }

    public static void writeVarint(int value, ByteBuffer out) {
        writeUnsignedVarlong(zigzag(value) & 0xFFFFFFFFL, out);
    }

    public static void writeVarlong(long value, ByteBuffer out) {
        writeUnsignedVarlong(zigzag(value), out);
    }

    private static void writeUnsignedVarlong(long v, ByteBuffer out) {
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /**
     * Reads a varint at the buffer's position and advances it.
     *
     * @throws InvalidRecordException if the encoding is longer than five bytes or overflows
     */
    public static int readVarint(ByteBuffer in) {
        int raw = 0;
        int shift = 0;
        byte b;
        do {
            if (shift >= 35) {
                throw new InvalidRecordException("varint is longer than 5 bytes");
            }
            b = get(in);
            raw |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Reads a varlong at the buffer's position and advances it. */
    public static long readVarlong(ByteBuffer in) {
        long raw = 0;
        int shift = 0;
        byte b;
        do {
            if (shift >= 70) {
                throw new InvalidRecordException("varlong is longer than 10 bytes");
            }
            b = get(in);
            raw |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static byte get(ByteBuffer in) {
        try {
            return in.get();
        } catch (BufferUnderflowException e) {
            throw new InvalidRecordException("varint runs past the end of the record");
        }
    }

    private static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }
}
