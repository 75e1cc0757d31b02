package io.wharf.core.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes big-endian fixed-width and length-prefixed fields into a growing array. Not thread-safe. */
public final class WireWriter {

    private byte[] buf;
    private int pos;

    public WireWriter() {
        this(64);
    }

    public WireWriter(int expected) {
        buf = new byte[Math.max(16, expected)];
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    public int size() {
        return pos;
    }

    public WireWriter writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
        return this;
    }

    public WireWriter writeShort(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public WireWriter writeInt(int v) {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public WireWriter writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    public WireWriter writeBytes(byte[] b) {
        return writeBytes(b, 0, b.length);
    }

    public WireWriter writeBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        return this;
    }

    /**
     * A short string: one length octet, then UTF-8.
     *
     * @throws IllegalArgumentException if it takes more than 255 bytes
     */
    public WireWriter writeShortString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) {
            throw new IllegalArgumentException("a short string is at most 255 bytes, got " + b.length);
        }
        writeByte(b.length);
        return writeBytes(b);
    }

    public WireWriter writeLongString(byte[] b) {
        writeInt(b.length);
        return writeBytes(b);
    }

    /** Reserves four bytes for a length written later with {@link #patchInt}; returns where. */
    public int reserveInt() {
        ensure(4);
        int at = pos;
        pos += 4;
        return at;
    }

    public void patchInt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    public ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(buf, 0, pos);
    }
}
