package io.wharf.storage.journal;

import io.wharf.storage.record.Varints;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Encodes a journal command or snapshot: bytes, varints and length-prefixed fields into a growing buffer. */
public final class CommandWriter {

    private ByteBuffer buf;

    public CommandWriter(int expectedSize) {
        buf = ByteBuffer.allocate(Math.max(16, expectedSize));
    }

    public CommandWriter putByte(byte b) {
        ensure(1);
        buf.put(b);
        return this;
    }

    public CommandWriter putVarint(int v) {
        ensure(5);
        Varints.writeVarint(v, buf);
        return this;
    }

    public CommandWriter putVarlong(long v) {
        ensure(10);
        Varints.writeVarlong(v, buf);
        return this;
    }

    /** A length-prefixed byte field; null is written as length -1. */
    public CommandWriter putBytes(byte[] bytes) {
        if (bytes == null) {
            return putVarint(-1);
        }
        putVarint(bytes.length);
        ensure(bytes.length);
        buf.put(bytes);
        return this;
    }

    public CommandWriter putString(String s) {
        return putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        byte[] out = new byte[buf.position()];
        buf.duplicate().flip().get(out);
        return out;
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
