package io.wharf.storage.log;

import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Looks past damaged bytes of a segment file: where the next intact batch starts, and whether
 * what follows a break is data at all. Recovery and reads use it to tell damage in the middle of
 * a segment (an intact batch follows it, so it is fenced off) from a torn or zeroed tail.
 */
final class DamageSearch {

    private static final int WINDOW = 256 * 1024;

    private DamageSearch() {
    }

    /**
     * The first position in [from, limit) where a batch starts whose CRC is valid, whose base
     * offset is at least {@code minOffset} and plausibly close to it, and whose successor, if a
     * batch header follows it, carries on from its last offset; or -1. The base offset lies
     * outside the CRC, so a batch whose base offset was damaged is only caught by its neighbours.
     */
    static int findValidBatch(FileChannel channel, int from, int limit, long minOffset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(WINDOW).order(ByteOrder.BIG_ENDIAN);
        long pos = from;
        while (pos + RecordBatch.HEADER_SIZE <= limit) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), limit - pos));
            ChannelReads.readFully(channel, buf, pos);
            buf.flip();
            int candidates = buf.limit() - RecordBatch.HEADER_SIZE;
            for (int i = 0; i <= candidates; i++) {
                if (buf.get(i + 16) != RecordBatch.MAGIC) {
                    continue;
                }
                long base = buf.getLong(i);
                int declared = RecordBatch.sizeAt(buf, i);
                if (base < minOffset || base - minOffset > Integer.MAX_VALUE || declared < RecordBatch.HEADER_SIZE
                        || pos + i + declared > limit) {
                    continue;
                }
                try {
                    RecordBatch candidate = RecordBatch.wrap(ChannelReads.readBytes(channel, pos + i, declared));
                    if (candidate.isValid() && isFollowedBy(channel, pos + i + declared, limit, candidate.nextOffset())) {
                        return (int) (pos + i);
                    }
                } catch (InvalidRecordException notABatch) {
                    // keep searching
                }
            }
            pos += Math.max(1, candidates + 1);
        }
        return -1;
    }

    /** False only if a batch header at {@code position} names a base offset other than {@code expected}. */
    private static boolean isFollowedBy(FileChannel channel, long position, int limit, long expected) throws IOException {
        if (position + RecordBatch.HEADER_SIZE > limit) {
            return true;
        }
        ByteBuffer header = ChannelReads.readBytes(channel, position, RecordBatch.HEADER_SIZE);
        if (header.get(16) != RecordBatch.MAGIC || RecordBatch.sizeAt(header, 0) < 0) {
            return true;
        }
        return header.getLong(0) == expected;
    }

    /** How many bytes of [from, limit) lie at or before its last non-zero byte: 0 if all are zeros. */
    static long nonZeroBytesFrom(FileChannel channel, int from, int limit) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long lastNonZero = from - 1;
        long pos = from;
        while (pos < limit) {
            buf.clear().limit((int) Math.min(buf.capacity(), limit - pos));
            ChannelReads.readFully(channel, buf, pos);
            buf.flip();
            if (buf.limit() == 0) {
                break;
            }
            for (int i = 0; i < buf.limit(); i++) {
                if (buf.get(i) != 0) {
                    lastNonZero = pos + i;
                }
            }
            pos += buf.limit();
        }
        return lastNonZero - from + 1;
    }
}
