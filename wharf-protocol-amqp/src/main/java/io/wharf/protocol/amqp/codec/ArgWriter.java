package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.wharf.core.message.FieldTables;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/** Writes method arguments of the types the methods use straight into a Netty buffer. */
final class ArgWriter {

    private static final int MAX_SHORT_STRING = 255;

    private ArgWriter() {
    }

    /**
     * A short string: one length octet, then UTF-8.
     *
     * @throws IllegalArgumentException if it takes more than 255 bytes
     */
    static void shortStr(ByteBuf out, String s) {
        Objects.requireNonNull(s, "a short string argument must not be null");
        // Encoding the whole string at once is an intrinsic for the common all-ASCII case.
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_SHORT_STRING) {
            throw new IllegalArgumentException("a short string is at most 255 bytes, got " + utf8.length);
        }
        out.writeByte(utf8.length);
        out.writeBytes(utf8);
    }

    static void longStr(ByteBuf out, byte[] bytes) {
        Objects.requireNonNull(bytes, "a long string argument must not be null");
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    static void table(ByteBuf out, Map<String, ?> table) {
        if (table == null || table.isEmpty()) {
            out.writeInt(0);
        } else {
            out.writeBytes(FieldTables.encode(table));
        }
    }

    /** The bit for one boolean argument at its position within a packed octet. */
    static int bit(boolean set, int position) {
        return set ? 1 << position : 0;
    }
}
