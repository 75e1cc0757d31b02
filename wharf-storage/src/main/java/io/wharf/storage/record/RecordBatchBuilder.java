package io.wharf.storage.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Builds one uncompressed v2 record batch. The base offset is left at zero: the log that
 * appends the batch assigns it. Not thread-safe; a builder builds one batch.
 */
public final class RecordBatchBuilder {

    private static final int INITIAL_CAPACITY = 256;

    private ByteBuffer buf;
    private int count;
    private long baseTimestamp = RecordBatch.NO_TIMESTAMP;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    private int attributes;
    private boolean built;
    private int gatherFrom = Integer.MAX_VALUE;
    private ByteBuffer[] gathered;
    private int[] cuts;
    private int gatheredCount;
    private int gatheredBytes;

    public RecordBatchBuilder() {
        this(INITIAL_CAPACITY);
    }

    public RecordBatchBuilder(int expectedSize) {
        buf = ByteBuffer.allocate(Math.max(expectedSize, RecordBatch.HEADER_SIZE + 16)).order(ByteOrder.BIG_ENDIAN);
        buf.position(RecordBatch.HEADER_SIZE);
    }

    /** Marks the batch as coming from an idempotent or transactional producer. */
    public RecordBatchBuilder producer(long id, short epoch, int firstSequence) {
        this.producerId = id;
        this.producerEpoch = epoch;
        this.baseSequence = firstSequence;
        return this;
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        attributes = transactional ? attributes | RecordBatch.TRANSACTIONAL_FLAG : attributes & ~RecordBatch.TRANSACTIONAL_FLAG;
        return this;
    }

    public RecordBatchBuilder control(boolean control) {
        attributes = control ? attributes | RecordBatch.CONTROL_FLAG : attributes & ~RecordBatch.CONTROL_FLAG;
        return this;
    }

    public RecordBatchBuilder timestampType(TimestampType type) {
        attributes = type == TimestampType.LOG_APPEND_TIME
                ? attributes | RecordBatch.TIMESTAMP_TYPE_MASK
                : attributes & ~RecordBatch.TIMESTAMP_TYPE_MASK;
        return this;
    }

    /**
     * Record values of at least {@code minBytes} are not copied into the batch: {@link #buildChecked}
     * returns the batch in parts that refer to them, and a log writes them from there. The caller
     * must leave such values unchanged until the log has written the batch.
     */
    public RecordBatchBuilder gatherValuesFrom(int minBytes) {
        if (count > 0) {
            throw new IllegalStateException("gathering is chosen before the first record");
        }
        gatherFrom = Math.max(0, minBytes);
        return this;
    }

    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, key == null ? null : ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value), List.of());
    }

    /**
     * Adds a record. Key and value are copied from their positions to their limits (a value
     * {@link #gatherValuesFrom gathered} is referred to instead); the buffers themselves are not
     * modified.
     */
    public RecordBatchBuilder append(long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        if (built) {
            throw new IllegalStateException("batch already built");
        }
        if (count == 0) {
            baseTimestamp = timestamp;
        }
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        long timestampDelta = timestamp - baseTimestamp;
        int offsetDelta = count;

        int keySize = key == null ? -1 : key.remaining();
        int valueSize = value == null ? -1 : value.remaining();
        int bodySize = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(offsetDelta)
                + sizeOfField(keySize) + sizeOfField(valueSize) + Varints.sizeOfVarint(headers.size());
        byte[][] headerKeys = headers.isEmpty() ? null : new byte[headers.size()][];
        for (int i = 0; i < headers.size(); i++) {
            Header h = headers.get(i);
            headerKeys[i] = h.key().getBytes(StandardCharsets.UTF_8);
            bodySize += sizeOfField(headerKeys[i].length) + sizeOfField(h.value() == null ? -1 : h.value().length);
        }
        boolean gather = valueSize >= gatherFrom;
        ensureCapacity(Varints.sizeOfVarint(bodySize) + bodySize - (gather ? valueSize : 0));

        Varints.writeVarint(bodySize, buf);
        buf.put((byte) 0);
        Varints.writeVarlong(timestampDelta, buf);
        Varints.writeVarint(offsetDelta, buf);
        writeField(key, buf);
        if (gather) {
            Varints.writeVarint(valueSize, buf);
            gather(value);
        } else {
            writeField(value, buf);
        }
        Varints.writeVarint(headers.size(), buf);
        for (int i = 0; i < headers.size(); i++) {
            Varints.writeVarint(headerKeys[i].length, buf);
            buf.put(headerKeys[i]);
            byte[] v = headers.get(i).value();
            if (v == null) {
                Varints.writeVarint(-1, buf);
            } else {
                Varints.writeVarint(v.length, buf);
                buf.put(v);
            }
        }
        count++;
        return this;
    }

    public int recordCount() {
        return count;
    }

    /** Bytes the batch will occupy if built now. */
    public int sizeInBytes() {
        return buf.position() + gatheredBytes;
    }

    /**
     * Completes the header and CRC and returns the batch as one a log appends without hashing it
     * again; in parts, if values were gathered.
     *
     * @throws IllegalStateException if no record was appended
     */
    public CheckedBatch buildChecked() {
        if (gatheredCount == 0) {
            return CheckedBatch.built(build());
        }
        int size = completeHeader();
        ByteBuffer[] parts = new ByteBuffer[2 * gatheredCount + 1];
        int from = 0;
        for (int i = 0; i < gatheredCount; i++) {
            parts[2 * i] = buf.duplicate().limit(cuts[i]).position(from).slice();
            parts[2 * i + 1] = gathered[i];
            from = cuts[i];
        }
        parts[2 * gatheredCount] = buf.duplicate().limit(buf.position()).position(from).slice();
        CRC32C crc = new CRC32C();
        for (int i = 0; i < parts.length; i++) {
            ByteBuffer p = parts[i].duplicate();
            if (i == 0) {
                p.position(p.position() + RecordBatch.ATTRIBUTES);
            }
            crc.update(p);
        }
        buf.putInt(RecordBatch.CRC, (int) crc.getValue());
        buf = null;
        return CheckedBatch.gathered(parts, size);
    }

    /**
     * Completes the header and CRC and returns the batch, position 0 to its size.
     *
     * @throws IllegalStateException if no record was appended
     */
    public ByteBuffer build() {
        if (gatheredCount > 0) {
            return buildChecked().bytes();
        }
        int size = completeHeader();
        buf.putInt(RecordBatch.CRC, (int) RecordBatch.crcOf(buf, RecordBatch.ATTRIBUTES, size));
        ByteBuffer out = buf.flip();
        buf = null;
        return out;
    }

    /** Fills in every header field but the CRC; returns the batch's size. */
    private int completeHeader() {
        if (count == 0) {
            throw new IllegalStateException("a record batch needs at least one record");
        }
        built = true;
        int size = buf.position() + gatheredBytes;
        buf.putLong(RecordBatch.BASE_OFFSET, 0L);
        buf.putInt(RecordBatch.BATCH_LENGTH, size - RecordBatch.LOG_OVERHEAD);
        buf.putInt(RecordBatch.LEADER_EPOCH, -1);
        buf.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
        buf.putShort(RecordBatch.ATTRIBUTES, (short) attributes);
        buf.putInt(RecordBatch.LAST_OFFSET_DELTA, count - 1);
        buf.putLong(RecordBatch.BASE_TIMESTAMP, baseTimestamp);
        buf.putLong(RecordBatch.MAX_TIMESTAMP, maxTimestamp);
        buf.putLong(RecordBatch.PRODUCER_ID, producerId);
        buf.putShort(RecordBatch.PRODUCER_EPOCH, producerEpoch);
        buf.putInt(RecordBatch.BASE_SEQUENCE, baseSequence);
        buf.putInt(RecordBatch.RECORD_COUNT, count);
        return size;
    }

    private void gather(ByteBuffer value) {
        if (gathered == null || gatheredCount == gathered.length) {
            int n = gathered == null ? 4 : gathered.length * 2;
            gathered = gathered == null ? new ByteBuffer[n] : Arrays.copyOf(gathered, n);
            cuts = cuts == null ? new int[n] : Arrays.copyOf(cuts, n);
        }
        gathered[gatheredCount] = value.duplicate();
        cuts[gatheredCount] = buf.position();
        gatheredCount++;
        gatheredBytes += value.remaining();
    }

    /**
     * A batch with no records that holds {@code offsets} offsets, as Kafka's log cleaner leaves
     * behind: a log writes one over offsets it assigned but never wrote, so that the offsets of
     * its batches follow one another without a gap. Readers find no records in it.
     */
    public static ByteBuffer filler(int offsets) {
        if (offsets < 1) {
            throw new IllegalArgumentException("a filler holds at least one offset, got " + offsets);
        }
        ByteBuffer b = ByteBuffer.allocate(RecordBatch.HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
        b.putInt(RecordBatch.BATCH_LENGTH, RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD);
        b.putInt(RecordBatch.LEADER_EPOCH, -1);
        b.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
        b.putInt(RecordBatch.LAST_OFFSET_DELTA, offsets - 1);
        b.putLong(RecordBatch.BASE_TIMESTAMP, RecordBatch.NO_TIMESTAMP);
        b.putLong(RecordBatch.MAX_TIMESTAMP, RecordBatch.NO_TIMESTAMP);
        b.putLong(RecordBatch.PRODUCER_ID, RecordBatch.NO_PRODUCER_ID);
        b.putShort(RecordBatch.PRODUCER_EPOCH, RecordBatch.NO_PRODUCER_EPOCH);
        b.putInt(RecordBatch.BASE_SEQUENCE, RecordBatch.NO_SEQUENCE);
        b.putInt(RecordBatch.RECORD_COUNT, 0);
        b.putInt(RecordBatch.CRC, (int) RecordBatch.crcOf(b, RecordBatch.ATTRIBUTES, RecordBatch.HEADER_SIZE));
        return b;
    }

    private static int sizeOfField(int size) {
        return size < 0 ? Varints.sizeOfVarint(-1) : Varints.sizeOfVarint(size) + size;
    }

    private static void writeField(ByteBuffer field, ByteBuffer out) {
        if (field == null) {
            Varints.writeVarint(-1, out);
        } else {
            Varints.writeVarint(field.remaining(), out);
            out.put(field.duplicate());
        }
    }

    private void ensureCapacity(int extra) {
        if (buf.remaining() >= extra) {
            return;
        }
        long wanted = Math.max((long) buf.capacity() * 2, (long) buf.position() + extra);
        if (wanted > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("record batch would exceed 2 GiB");
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) wanted).order(ByteOrder.BIG_ENDIAN);
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }
}
