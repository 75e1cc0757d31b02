package io.wharf.core.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the big-endian fixed-width and length-prefixed fields of message properties and field
 * tables from a buffer, checking every length against what remains. Not thread-safe.
 */
public final class WireReader {

    private final ByteBuffer buf;

    public WireReader(ByteBuffer buf) {
        this.buf = buf;
    }

    private void need(int n, String what) {
        if (n < 0 || buf.remaining() < n) {
            throw new MalformedDataException(what + " needs " + n + " bytes but " + buf.remaining() + " remain");
        }
    }

    public int remaining() {
        return buf.remaining();
    }

    public int position() {
        return buf.position();
    }

    public byte readByte() {
        need(1, "an octet");
        return buf.get();
    }

    public int readUnsignedByte() {
        return readByte() & 0xFF;
    }

    public short readShort() {
        need(2, "a short");
        return buf.getShort();
    }

    public int readUnsignedShort() {
        return readShort() & 0xFFFF;
    }

    public int readInt() {
        need(4, "a long");
        return buf.getInt();
    }

    public long readUnsignedInt() {
        return readInt() & 0xFFFFFFFFL;
    }

    public long readLong() {
        need(8, "a long long");
        return buf.getLong();
    }

    /** A 64-bit count of seconds since the epoch. */
    public java.time.Instant readTimestamp() {
        long seconds = readLong();
        try {
            return java.time.Instant.ofEpochSecond(seconds);
        } catch (java.time.DateTimeException e) {
            throw new MalformedDataException("timestamp " + seconds + " is out of range");
        }
    }

    public float readFloat() {
        need(4, "a float");
        return buf.getFloat();
    }

    public double readDouble() {
        need(8, "a double");
        return buf.getDouble();
    }

    public byte[] readBytes(int n) {
        need(n, "a field");
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    /** A short string: one length octet, then UTF-8 bytes. */
    public String readShortString() {
        return utf8(readBytes(readUnsignedByte()), "short string");
    }

    /** A long string's raw bytes: a 32-bit length, then the bytes. */
    public byte[] readLongStringBytes() {
        long n = readUnsignedInt();
        if (n > Integer.MAX_VALUE) {
            throw new MalformedDataException("a long string of " + n + " bytes is too long");
        }
        return readBytes((int) n);
    }

    /** A sub-reader over the next {@code n} bytes, which this reader skips. */
    public WireReader slice(int n, String what) {
        need(n, what);
        ByteBuffer s = buf.slice(buf.position(), n);
        buf.position(buf.position() + n);
        return new WireReader(s);
    }

    static String utf8(byte[] bytes, String what) {
        if (isAscii(bytes)) {
            // Names, ids and routing keys are nearly always ASCII, which needs no validating decoder.
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedDataException(what + " is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
