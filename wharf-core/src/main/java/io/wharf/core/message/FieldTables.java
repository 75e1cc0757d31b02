package io.wharf.core.message;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed maps of message headers and arguments, in the field-table encoding of AMQP 0-9-1 with
 * the type tags RabbitMQ and its clients use. It is Wharf's canonical encoding of typed headers,
 * whatever protocol a message arrived by.
 *
 * <p>Java types: {@code t} Boolean, {@code b} Byte, {@code B} Short (unsigned octet), {@code s}
 * Short, {@code u} Integer (unsigned short), {@code I} Integer, {@code i} Long (unsigned int),
 * {@code l} Long, {@code f} Float, {@code d} Double, {@code D} BigDecimal, {@code S} String (or
 * byte[] when the bytes are not UTF-8), {@code x} byte[], {@code T} Instant (whole seconds),
 * {@code A} List, {@code F} Map, {@code V} null.
 */
public final class FieldTables {

    /** Deepest nesting of tables and arrays accepted; deeper input is malformed, not a stack overflow. */
    private static final int MAX_DEPTH = 64;

    private FieldTables() {
    }

    /** Reads a table: a 32-bit byte length, then name/value pairs. */
    public static Map<String, Object> read(WireReader in) {
        return readTable(in, 0);
    }

    /** Writes a table with its 32-bit length prefix. */
    public static void write(Map<String, ?> table, WireWriter out) {
        writeTable(table, out, 0);
    }

    /**
     * A text value read back from a table: AMQP's long strings come back as bytes, which this
     * reads as UTF-8; a value written as another type comes back as its string form.
     */
    public static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    public static byte[] encode(Map<String, ?> table) {
        WireWriter w = new WireWriter();
        write(table, w);
        return w.toByteArray();
    }

    private static Map<String, Object> readTable(WireReader in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedDataException("field tables nest deeper than " + MAX_DEPTH);
        }
        long length = in.readUnsignedInt();
        if (length > in.remaining()) {
            throw new MalformedDataException("a field table of " + length + " bytes runs past its frame");
        }
        WireReader t = in.slice((int) length, "a field table");
        Map<String, Object> out = new LinkedHashMap<>();
        while (t.remaining() > 0) {
            String name = t.readShortString();
            out.put(name, readValue(t, depth));
        }
        return out;
    }

    private static Object readValue(WireReader in, int depth) {
        char type = (char) in.readUnsignedByte();
        return switch (type) {
            case 't' -> in.readByte() != 0;
            case 'b' -> in.readByte();
            case 'B' -> (short) in.readUnsignedByte();
            case 's' -> in.readShort();
            case 'u' -> in.readUnsignedShort();
            case 'I' -> in.readInt();
            case 'i' -> in.readUnsignedInt();
            case 'l' -> in.readLong();
            case 'f' -> in.readFloat();
            case 'd' -> in.readDouble();
            case 'D' -> {
                int scale = in.readUnsignedByte();
                yield new BigDecimal(BigInteger.valueOf(in.readInt()), scale);
            }
            case 'S' -> {
                byte[] b = in.readLongStringBytes();
                try {
                    yield WireReader.utf8(b, "a string");
                } catch (MalformedDataException notText) {
                    yield b;
                }
            }
            case 'x' -> in.readLongStringBytes();
            case 'T' -> in.readTimestamp();
            case 'F' -> readTable(in, depth + 1);
            case 'A' -> readArray(in, depth + 1);
            case 'V' -> null;
            default -> throw new MalformedDataException("unknown field type '" + printable(type) + "'");
        };
    }

    private static List<Object> readArray(WireReader in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedDataException("field arrays nest deeper than " + MAX_DEPTH);
        }
        long length = in.readUnsignedInt();
        if (length > in.remaining()) {
            throw new MalformedDataException("a field array of " + length + " bytes runs past its frame");
        }
        WireReader a = in.slice((int) length, "a field array");
        List<Object> out = new ArrayList<>();
        while (a.remaining() > 0) {
            out.add(readValue(a, depth));
        }
        return Collections.unmodifiableList(out);
    }

    private static void writeTable(Map<String, ?> table, WireWriter out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("field tables nest deeper than " + MAX_DEPTH);
        }
        int at = out.reserveInt();
        int start = out.size();
        if (table != null) {
            for (Map.Entry<String, ?> e : table.entrySet()) {
                out.writeShortString(e.getKey());
                writeValue(e.getValue(), out, depth);
            }
        }
        out.patchInt(at, out.size() - start);
    }

    private static void writeValue(Object v, WireWriter out, int depth) {
        switch (v) {
            case null -> out.writeByte('V');
            case String s -> out.writeByte('S').writeLongString(s.getBytes(StandardCharsets.UTF_8));
            case Integer i -> out.writeByte('I').writeInt(i);
            case Long l -> out.writeByte('l').writeLong(l);
            case Boolean b -> out.writeByte('t').writeByte(b ? 1 : 0);
            case Byte b -> out.writeByte('b').writeByte(b);
            case Short s -> out.writeByte('s').writeShort(s);
            case Float f -> out.writeByte('f').writeInt(Float.floatToIntBits(f));
            case Double d -> out.writeByte('d').writeLong(Double.doubleToLongBits(d));
            case BigDecimal d -> {
                BigInteger unscaled = d.unscaledValue();
                if (d.scale() < 0 || d.scale() > 255 || unscaled.bitLength() > 31) {
                    throw new IllegalArgumentException("decimal " + d + " does not fit a field value");
                }
                out.writeByte('D').writeByte(d.scale()).writeInt(unscaled.intValue());
            }
            case byte[] b -> out.writeByte('x').writeLongString(b);
            case Instant t -> out.writeByte('T').writeLong(t.getEpochSecond());
            case Date t -> out.writeByte('T').writeLong(t.getTime() / 1000);
            case Map<?, ?> m -> {
                out.writeByte('F');
                @SuppressWarnings("unchecked")
                Map<String, ?> table = (Map<String, ?>) m;
                writeTable(table, out, depth + 1);
            }
            case List<?> list -> {
                out.writeByte('A');
                int at = out.reserveInt();
                int start = out.size();
                for (Object o : list) {
                    writeValue(o, out, depth + 1);
                }
                out.patchInt(at, out.size() - start);
            }
            case Object[] array -> writeValue(List.of(array), out, depth);
            default -> throw new IllegalArgumentException("a " + v.getClass().getName() + " cannot be a field value");
        }
    }

    private static String printable(char c) {
        return c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }
}
