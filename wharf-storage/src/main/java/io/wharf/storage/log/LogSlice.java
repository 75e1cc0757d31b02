package io.wharf.storage.log;

import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The result of a read: whole batches from one segment, starting with the batch that holds the
 * requested offset. The slice pins its segment, so retention cannot delete the file under it;
 * close it when done (also after handing {@link #region()} to the network).
 *
 * <p>A slice holds intact batches only: the log checked their CRCs before handing it out and
 * left damaged stretches out of it.
 */
public final class LogSlice implements AutoCloseable {

    /**
     * A checked byte range of a segment file, for zero-copy transfer (for example as a Netty
     * file region). The channel is valid while its slice is open; the file may be opened anew by
     * its path, until retention deletes it.
     */
    public record FileRegion(FileChannel channel, Path file, long position, int length) {
    }

    private final LogSegment segment;
    private final long requestedOffset;
    private final int position;
    private final int size;
    private final long nextOffset;
    private final long logEndOffset;
    private final AtomicBoolean closed = new AtomicBoolean();

    LogSlice(LogSegment segment, long requestedOffset, int position, int size, long nextOffset, long logEndOffset) {
        this.segment = segment;
        this.requestedOffset = requestedOffset;
        this.position = position;
        this.size = size;
        this.nextOffset = nextOffset;
        this.logEndOffset = logEndOffset;
    }

    /** A slice with no batches; a reader goes on at {@code nextOffset}, past any gap the read found. */
    static LogSlice empty(long requestedOffset, long nextOffset, long logEndOffset) {
        return new LogSlice(null, requestedOffset, 0, 0, nextOffset, logEndOffset);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int sizeInBytes() {
        return size;
    }

    /** The offset the read asked for; the first batch may start before it. */
    public long requestedOffset() {
        return requestedOffset;
    }

    /** Where the next read should start: the offset after the slice's last batch. */
    public long nextOffset() {
        return nextOffset;
    }

    /** The log's end offset under the read's bound, when the read was made. */
    public long logEndOffset() {
        return logEndOffset;
    }

    /** The slice's bytes, copied to the heap. */
    public ByteBuffer bytes() {
        if (isEmpty()) {
            return ByteBuffer.allocate(0);
        }
        try {
            return segment.readBytes(position, size);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + segment.file() + " failed", e);
        }
    }

    /** The slice's batches, decoded from a heap copy. */
    public List<RecordBatch> batches() {
        ByteBuffer all = bytes();
        List<RecordBatch> out = new ArrayList<>();
        int pos = 0;
        while (pos < all.limit()) {
            int n = RecordBatch.sizeAt(all, pos);
            if (n < 0 || pos + n > all.limit()) {
                throw new InvalidRecordException("batch at byte " + (position + pos) + " of " + segment.file()
                        + " runs past the slice");
            }
            out.add(RecordBatch.wrap(all.slice(pos, n)));
            pos += n;
        }
        return out;
    }

    /** The records of uncompressed batches from the requested offset on. */
    public List<Record> records() {
        List<Record> out = new ArrayList<>();
        for (RecordBatch b : batches()) {
            for (Record r : b.records()) {
                if (r.offset() >= requestedOffset) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The slice's file range, for zero-copy transfer. */
    public FileRegion region() {
        if (isEmpty()) {
            throw new IllegalStateException("an empty slice has no region");
        }
        return new FileRegion(segment.channel(), segment.file(), position, size);
    }

    /** Sends the slice's bytes to {@code target} without copying them through the heap. */
    public long transferTo(WritableByteChannel target) throws IOException {
        if (isEmpty()) {
            return 0;
        }
        FileRegion r = region();
        long sent = 0;
        while (sent < r.length()) {
            long n = r.channel().transferTo(r.position() + sent, r.length() - sent, target);
            if (n <= 0) {
                break;
            }
            sent += n;
        }
        return sent;
    }

    @Override
    public void close() {
        if (segment != null && closed.compareAndSet(false, true)) {
            segment.release();
        }
    }
}
