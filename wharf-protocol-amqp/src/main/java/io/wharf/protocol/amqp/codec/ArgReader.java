package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.message.WireReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;

/**
 * Reads method arguments in order from a buffer, packing consecutive bits into octets as spec 4.2.5.2 says.
 * Every read checks what remains and throws {@link MalformedDataException} instead of running past the end.
 */
final class ArgReader {

    private final ByteBuf in;
    private int bits;
    /** The mask of the next bit in {@code bits}; 0 or 0x100 when the next bit needs a fresh octet. */
    private int bitMask;

    ArgReader(ByteBuf in) {
        this.in = in;
    }

    private void need(int n, String what) {
        bitMask = 0;
        if (in.readableBytes() < n) {
            throw new MalformedDataException(what + " needs " + n + " bytes but " + in.readableBytes() + " remain");
        }
    }

    int octet() {
        need(1, "an octet");
        return in.readUnsignedByte();
    }

    int shortInt() {
        need(2, "a short");
        return in.readUnsignedShort();
    }

    /** A 32-bit "long" as an int, for counts that never approach 2^31. */
    int longInt() {
        need(4, "a long");
        return in.readInt();
    }

    /** A 32-bit "long" kept unsigned, for limits a peer may set above 2^31. */
    long longUnsigned() {
        need(4, "a long");
        return in.readUnsignedInt();
    }

    long longLong() {
        need(8, "a long long");
        return in.readLong();
    }

    boolean bit() {
        if (bitMask == 0 || bitMask == 0x100) {
            need(1, "a bit");
            bits = in.readUnsignedByte();
            bitMask = 1;
        }
        boolean set = (bits & bitMask) != 0;
        bitMask <<= 1;
        return set;
    }

    String shortStr() {
        int length = octet();
        need(length, "a short string");
        int at = in.readerIndex();
        String s = in.forEachByte(at, length, b -> b >= 0) == -1
                ? in.toString(at, length, StandardCharsets.US_ASCII)
                : strictUtf8(in.nioBuffer(at, length));
        in.skipBytes(length);
        return s;
    }

    private static String strictUtf8(ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedDataException("a short string is not valid UTF-8");
        }
    }

    byte[] longStr() {
        need(4, "a long string");
        long length = in.readUnsignedInt();
        if (length > in.readableBytes()) {
            throw new MalformedDataException("a long string of " + length + " bytes runs past its frame");
        }
        byte[] out = new byte[(int) length];
        in.readBytes(out);
        return out;
    }

    /** A field table, unmodifiable. */
    Map<String, Object> table() {
        need(4, "a table");
        int at = in.readerIndex();
        if (in.getInt(at) == 0) {
            in.skipBytes(4);
            return Map.of();
        }
        ByteBuffer nio = in.nioBuffer(at, in.readableBytes());
        int start = nio.position();
        WireReader reader = new WireReader(nio);
        Map<String, Object> table = FieldTables.read(reader);
        in.skipBytes(reader.position() - start);
        return Collections.unmodifiableMap(table);
    }

    /** Checks that the arguments used up the buffer: extra bytes mean the peer meant another method. */
    void end() {
        if (in.isReadable()) {
            throw new MalformedDataException(in.readableBytes() + " bytes after the last argument");
        }
    }
}
