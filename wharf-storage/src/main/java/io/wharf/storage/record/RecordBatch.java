package io.wharf.storage.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A read-only view of one record batch in the v2 ("magic 2") batch format, the unit every
 * Wharf log stores.
 *
 * <p>The format is the one Kafka clients produce and fetch, so a batch received from a Kafka
 * producer is stored as received and served back byte for byte. Layout, big-endian:
 *
 * <pre>
 *  0 baseOffset int64        21 attributes int16        43 producerId int64
 *  8 batchLength int32       23 lastOffsetDelta int32   51 producerEpoch int16
 * 12 leaderEpoch int32       27 baseTimestamp int64     53 baseSequence int32
 * 16 magic int8 (= 2)        35 maxTimestamp int64      57 recordCount int32
 * 17 crc uint32                                         61 records...
 * </pre>
 *
 * The CRC32C covers everything from the attributes to the end, so the base offset and the
 * leader epoch can be rewritten when the batch is appended without recomputing it.
 *
 * <p>Instances are immutable views and safe to share between threads as long as nobody writes
 * to the underlying buffer.
 */
public final class RecordBatch {

    public static final byte MAGIC = 2;
    public static final int HEADER_SIZE = 61;
    /** Bytes before the batchLength field's count starts: baseOffset and batchLength itself. */
    public static final int LOG_OVERHEAD = 12;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    static final int BASE_OFFSET = 0;
    static final int BATCH_LENGTH = 8;
    static final int LEADER_EPOCH = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int BASE_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int RECORD_COUNT = 57;

    static final int COMPRESSION_MASK = 0x07;
    static final int TIMESTAMP_TYPE_MASK = 0x08;
    static final int TRANSACTIONAL_FLAG = 0x10;
    static final int CONTROL_FLAG = 0x20;

    private final ByteBuffer buf;

    private RecordBatch(ByteBuffer buf) {
        this.buf = buf;
    }

    /**
     * Wraps the bytes from the buffer's position to its limit, which must hold exactly one
     * batch. Checks the header's sizes and magic but not the CRC; see {@link #ensureValid()}.
     *
     * @throws InvalidRecordException if the header does not describe the buffer
     */
    public static RecordBatch wrap(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice().order(ByteOrder.BIG_ENDIAN);
        if (b.remaining() < HEADER_SIZE) {
            throw new InvalidRecordException("record batch of " + b.remaining()
                    + " bytes is shorter than the " + HEADER_SIZE + "-byte header");
        }
        int declared = b.getInt(BATCH_LENGTH) + LOG_OVERHEAD;
        if (declared != b.remaining()) {
            throw new InvalidRecordException("record batch declares " + declared + " bytes but "
                    + b.remaining() + " were given");
        }
        byte magic = b.get(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new InvalidRecordException("record batch has magic " + magic + ", only " + MAGIC
                    + " is supported");
        }
        if (b.getInt(LAST_OFFSET_DELTA) < 0 || b.getInt(RECORD_COUNT) < 0) {
            throw new InvalidRecordException("record batch has a negative record count or offset delta");
        }
        return new RecordBatch(b);
    }

    /**
     * The total size of the batch starting at {@code position}, read from its header, or -1 if
     * fewer than {@link #LOG_OVERHEAD} bytes remain or the declared length is impossible.
     */
    public static int sizeAt(ByteBuffer buffer, int position) {
        if (buffer.limit() - position < LOG_OVERHEAD) {
            return -1;
        }
        int length = buffer.order() == ByteOrder.BIG_ENDIAN
                ? buffer.getInt(position + BATCH_LENGTH)
                : Integer.reverseBytes(buffer.getInt(position + BATCH_LENGTH));
        if (length < HEADER_SIZE - LOG_OVERHEAD || length > Integer.MAX_VALUE - LOG_OVERHEAD) {
            return -1;
        }
        return length + LOG_OVERHEAD;
    }

    /** Writes a new base offset into a serialized batch in place; the CRC stays valid. */
    public static void setBaseOffset(ByteBuffer batch, long baseOffset) {
        batch.putLong(batch.position() + BASE_OFFSET, baseOffset);
    }

    public long baseOffset() {
        return buf.getLong(BASE_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public long nextOffset() {
        return lastOffset() + 1;
    }

    public int sizeInBytes() {
        return buf.limit();
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(LEADER_EPOCH);
    }

    public byte magic() {
        return buf.get(MAGIC_OFFSET);
    }

    public long storedCrc() {
        return buf.getInt(CRC) & 0xFFFFFFFFL;
    }

    public long computeCrc() {
        return crcOf(buf, ATTRIBUTES, buf.limit());
    }

    public boolean isValid() {
        return storedCrc() == computeCrc();
    }

    /** @throws InvalidRecordException if the stored CRC does not match the batch's content */
    public void ensureValid() {
        long stored = storedCrc();
        long computed = computeCrc();
        if (stored != computed) {
            throw new InvalidRecordException("record batch at offset " + baseOffset() + " has CRC "
                    + Long.toHexString(stored) + " but its content hashes to " + Long.toHexString(computed));
        }
    }

    public short attributes() {
        return buf.getShort(ATTRIBUTES);
    }

    public Compression compression() {
        return Compression.forId(attributes() & COMPRESSION_MASK);
    }

    public TimestampType timestampType() {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_FLAG) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG) != 0;
    }

    public int lastOffsetDelta() {
        return buf.getInt(LAST_OFFSET_DELTA);
    }

    public long baseTimestamp() {
        return buf.getLong(BASE_TIMESTAMP);
    }

    public long maxTimestamp() {
        return buf.getLong(MAX_TIMESTAMP);
    }

    public long producerId() {
        return buf.getLong(PRODUCER_ID);
    }

    public short producerEpoch() {
        return buf.getShort(PRODUCER_EPOCH);
    }

    public int baseSequence() {
        return buf.getInt(BASE_SEQUENCE);
    }

    /** The sequence of the last record, wrapping as Kafka's sequences do, or NO_SEQUENCE. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        long last = (long) base + lastOffsetDelta();
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    public int recordCount() {
        return buf.getInt(RECORD_COUNT);
    }

    /** A read-only duplicate of the whole batch, position 0. */
    public ByteBuffer buffer() {
        return buf.asReadOnlyBuffer();
    }

    /**
     * Decodes the records of an uncompressed batch. Decoding is lazy; a malformed record raises
     * {@link InvalidRecordException} when reached.
     *
     * @throws InvalidRecordException if the batch is compressed (compressed batches are stored and
     *                                served whole; the protocol layer that needs their records
     *                                decompresses them)
     */
    public Iterable<Record> records() {
        Compression c = compression();
        if (c != Compression.NONE) {
            throw new InvalidRecordException("records of a " + c + "-compressed batch cannot be read by storage");
        }
        return () -> new RecordIterator(buf, baseOffset(), baseTimestamp(), recordCount(),
                timestampType() == TimestampType.LOG_APPEND_TIME ? maxTimestamp() : -1);
    }

    /** All records decoded into a list. */
    public List<Record> recordList() {
        List<Record> out = new ArrayList<>(recordCount());
        records().forEach(out::add);
        return out;
    }

    static long crcOf(ByteBuffer b, int from, int to) {
        CRC32C crc = new CRC32C();
        if (b.hasArray()) {
            crc.update(b.array(), b.arrayOffset() + from, to - from);
        } else {
            ByteBuffer region = b.duplicate();
            region.limit(to).position(from);
            crc.update(region);
        }
        return crc.getValue();
    }

    @Override
    public String toString() {
        return "RecordBatch[offsets " + baseOffset() + ".." + lastOffset() + ", " + recordCount()
                + " records, " + sizeInBytes() + " bytes]";
    }

    private static final class RecordIterator implements Iterator<Record> {
        private final ByteBuffer in;
        private final long baseOffset;
        private final long baseTimestamp;
        private final int count;
        private final long logAppendTime;
        private int read;

        RecordIterator(ByteBuffer batch, long baseOffset, long baseTimestamp, int count, long logAppendTime) {
            this.in = batch.duplicate().position(HEADER_SIZE);
            this.baseOffset = baseOffset;
            this.baseTimestamp = baseTimestamp;
            this.count = count;
            this.logAppendTime = logAppendTime;
        }

        @Override
        public boolean hasNext() {
            return read < count;
        }

        @Override
        public Record next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            read++;
            int length = Varints.readVarint(in);
            if (length < 0 || length > in.remaining()) {
                throw new InvalidRecordException("record " + read + " of batch at offset " + baseOffset
                        + " declares " + length + " bytes but " + in.remaining() + " remain");
            }
            int end = in.position() + length;
            ByteBuffer r = in.duplicate().limit(end);
            in.position(end);
            r.get(); // record attributes: unused by the v2 format
            long timestamp = baseTimestamp + Varints.readVarlong(r);
            long offset = baseOffset + Varints.readVarint(r);
            ByteBuffer key = readBytes(r);
            ByteBuffer value = readBytes(r);
            int headerCount = Varints.readVarint(r);
            if (headerCount < 0) {
                throw new InvalidRecordException("record at offset " + offset + " has " + headerCount + " headers");
            }
            List<Header> headers;
            if (headerCount == 0) {
                headers = Collections.emptyList();
            } else {
                List<Header> list = new ArrayList<>(Math.min(headerCount, 64));
                for (int i = 0; i < headerCount; i++) {
                    ByteBuffer k = readBytes(r);
                    if (k == null) {
                        throw new InvalidRecordException("record at offset " + offset + " has a header with a null key");
                    }
                    ByteBuffer v = readBytes(r);
                    list.add(new Header(new String(copy(k), StandardCharsets.UTF_8), v == null ? null : copy(v)));
                }
                headers = Collections.unmodifiableList(list);
            }
            if (r.hasRemaining()) {
                throw new InvalidRecordException("record at offset " + offset + " has " + r.remaining()
                        + " bytes after its last field");
            }
            return new Record(offset, logAppendTime >= 0 ? logAppendTime : timestamp, key, value, headers);
        }

        private static byte[] copy(ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.get(b.position(), out);
            return out;
        }

        private static ByteBuffer readBytes(ByteBuffer r) {
            int len = Varints.readVarint(r);
            if (len < 0) {
                return null;
            }
            if (len > r.remaining()) {
                throw new InvalidRecordException("record field of " + len + " bytes runs past the record's end");
            }
            ByteBuffer out = r.slice(r.position(), len).asReadOnlyBuffer();
            r.position(r.position() + len);
            return out;
        }
    }
}
