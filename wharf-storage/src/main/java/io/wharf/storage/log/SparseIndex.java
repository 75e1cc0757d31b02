package io.wharf.storage.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A sparse, sorted index of (key, value) pairs where both keys and values only grow: the
 * offset index maps relative offsets to file positions, the time index maps timestamps to
 * relative offsets.
 *
 * <p>While its segment is active the index lives in memory and is written to its file only
 * when sealed or flushed; it is derived data, rebuilt from the segment after a crash. Once
 * sealed, lookups binary-search the file with positional reads, so inactive segments cost no
 * heap.
 *
 * <p>Threading: one writer (the log's writer) calls the mutating methods; any thread may look
 * up. A reader reads {@code count} before {@code keys}, and the writer publishes arrays before
 * counts, so a reader never sees a count larger than the array it reads.
 */
final class SparseIndex implements Closeable {

    static final int ENTRY_SIZE = 12;

    private final Path file;
    private volatile long[] keys;
    private volatile int[] values;
    private volatile int count;
    private int flushed;
    private boolean dirty;
    private volatile FileChannel sealedChannel;

    private SparseIndex(Path file, long[] keys, int[] values, int count, FileChannel sealedChannel) {
        this.file = file;
        this.keys = keys;
        this.values = values;
        this.count = count;
        this.flushed = count;
        this.sealedChannel = sealedChannel;
    }

    /** An empty, writable index; its file is written on the first flush. */
    static SparseIndex empty(Path file) {
        return new SparseIndex(file, new long[64], new int[64], 0, null);
    }

    /** Loads an index file into memory for further appends. */
    static SparseIndex loadWritable(Path file) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
        int n = all.capacity() / ENTRY_SIZE;
        long[] k = new long[Math.max(64, n)];
        int[] v = new int[Math.max(64, n)];
        for (int i = 0; i < n; i++) {
            k[i] = all.getLong();
            v[i] = all.getInt();
        }
        SparseIndex index = new SparseIndex(file, k, v, n, null);
        index.dirty = all.capacity() % ENTRY_SIZE != 0;
        index.flushed = index.dirty ? 0 : n;
        return index;
    }

    /** Opens a sealed index file for lookups only, without reading its entries. */
    static SparseIndex openSealed(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        return new SparseIndex(file, null, null, (int) (ch.size() / ENTRY_SIZE), ch);
    }

    /** Whether the file holds a whole number of entries. */
    boolean isWhole() throws IOException {
        return Files.size(file) % ENTRY_SIZE == 0;
    }

    Path file() {
        return file;
    }

    int count() {
        return count;
    }

    boolean isSealed() {
        return sealedChannel != null;
    }

    long keyAt(int i) throws IOException {
        long[] k = keys;
        return k != null ? k[i] : readEntry(i).getLong(0);
    }

    int valueAt(int i) throws IOException {
        int[] v = values;
        return v != null ? v[i] : readEntry(i).getInt(8);
    }

    long lastKey() throws IOException {
        int n = count;
        return n == 0 ? -1 : keyAt(n - 1);
    }

    /** Appends an entry. Keys must grow strictly; a key not larger than the last is ignored. */
    void append(long key, int value) {
        int n = count;
        long[] k = keys;
        int[] v = values;
        if (k == null) {
            throw new IllegalStateException("index " + file + " is sealed");
        }
        if (n > 0 && key <= k[n - 1]) {
            return;
        }
        if (n == k.length) {
            k = Arrays.copyOf(k, n * 2);
            v = Arrays.copyOf(v, n * 2);
        }
        k[n] = key;
        v[n] = value;
        keys = k;
        values = v;
        count = n + 1;
        dirty = true;
    }

    /** Index of the last entry whose key is at most {@code key}, or -1. */
    int floorByKey(long key) throws IOException {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (keyAt(mid) <= key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the last entry whose key is below {@code key}, or -1. */
    int lowerByKey(long key) throws IOException {
        return key == Long.MIN_VALUE ? -1 : floorByKey(key - 1);
    }

    /** Index of the last entry whose value is at most {@code value}, or -1. */
    int floorByValue(int value) throws IOException {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (valueAt(mid) <= value) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Drops every entry, as when the index is rebuilt from its segment. */
    void reset() {
        if (keys == null) {
            throw new IllegalStateException("index " + file + " is sealed");
        }
        keys = new long[64];
        values = new int[64];
        count = 0;
        flushed = 0;
        dirty = true;
    }

    /** Drops entries from {@code newCount} on. */
    void truncate(int newCount) {
        if (keys == null) {
            throw new IllegalStateException("index " + file + " is sealed");
        }
        if (newCount < count) {
            count = newCount;
            flushed = Math.min(flushed, newCount);
            dirty = true;
        }
    }

    /** Writes the entries not yet in the file and forces it; nothing happens if nothing changed. */
    void flush() throws IOException {
        if (keys == null || (!dirty && Files.exists(file))) {
            return;
        }
        int n = count;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (flushed < n) {
                ByteBuffer buf = ByteBuffer.allocate((n - flushed) * ENTRY_SIZE);
                for (int i = flushed; i < n; i++) {
                    buf.putLong(keys[i]).putInt(values[i]);
                }
                buf.flip();
                long pos = (long) flushed * ENTRY_SIZE;
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
            ch.truncate((long) n * ENTRY_SIZE);
            ch.force(true);
        }
        flushed = n;
        dirty = false;
    }

    /** Flushes and switches to file-backed lookups, releasing the in-memory entries. */
    void seal() throws IOException {
        if (keys == null) {
            return;
        }
        flush();
        sealedChannel = FileChannel.open(file, StandardOpenOption.READ);
        keys = null;
        values = null;
    }

    private ByteBuffer readEntry(int i) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ENTRY_SIZE);
        long pos = (long) i * ENTRY_SIZE;
        FileChannel ch = sealedChannel;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("index " + file + " ends inside entry " + i);
            }
        }
        return buf;
    }

    @Override
    public void close() throws IOException {
        FileChannel ch = sealedChannel;
        if (ch != null) {
            ch.close();
        }
    }

    void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }
}
