package io.wharf.storage.journal;

import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.Varints;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Decodes what a {@link CommandWriter} wrote; a truncated or malformed field raises {@link InvalidRecordException}. */
public final class CommandReader {

    private final ByteBuffer buf;

    public CommandReader(ByteBuffer buf) {
        this.buf = buf;
    }

    public byte getByte() {
        try {
            return buf.get();
        } catch (BufferUnderflowException e) {
            throw new InvalidRecordException("command ends early");
        }
    }

    public int getVarint() {
        return Varints.readVarint(buf);
    }

    public long getVarlong() {
        return Varints.readVarlong(buf);
    }

    public byte[] getBytes() {
        int n = Varints.readVarint(buf);
        if (n < 0) {
            return null;
        }
        if (n > buf.remaining()) {
            throw new InvalidRecordException("command field of " + n + " bytes runs past its end");
        }
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    public String getString() {
        byte[] b = getBytes();
        if (b == null) {
            throw new InvalidRecordException("command has a null where a string belongs");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    public boolean hasRemaining() {
        return buf.hasRemaining();
    }
}
