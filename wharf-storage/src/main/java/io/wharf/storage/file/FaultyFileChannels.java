package io.wharf.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Storage's fault injection: file channels that fail on command the way a failing disk does, for
 * tests of what the broker promises when it does. A full disk makes a write store a few of its
 * bytes and then report ENOSPC; a broken disk makes fsync report EIO; a power cut undoes every
 * write no fsync has covered, as the page cache would lose them.
 *
 * <p>Only what storage writes through a {@link FileChannelFactory} is affected: segments and the
 * stores' journals. Thread-safe.
 */
public final class FaultyFileChannels implements FileChannelFactory {

    private volatile boolean diskFull;
    private volatile boolean fsyncBroken;
    private volatile boolean powerLost;
    private final List<Channel> channels = new ArrayList<>();

    /** While full, a write that would grow a file stores a few bytes and fails with ENOSPC. */
    public void diskFull(boolean full) {
        this.diskFull = full;
    }

    /** While broken, every fsync fails with EIO. */
    public void fsyncBroken(boolean broken) {
        this.fsyncBroken = broken;
    }

    /**
     * Cuts the power: every write and fsync from now on fails, and every write made through these
     * channels that no completed fsync covered is undone, newest first, as the page cache would
     * lose it. Writers may still be running; what they do next fails.
     */
    public void powerCut() throws IOException {
        powerLost = true;
        List<Channel> all;
        synchronized (channels) {
            all = List.copyOf(channels);
            channels.clear();
        }
        for (Channel c : all) {
            c.revertUnsynced();
        }
    }

    @Override
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        boolean synced = options.contains(StandardOpenOption.DSYNC) || options.contains(StandardOpenOption.SYNC);
        Channel c = new Channel(path, FileChannel.open(path, options), synced);
        synchronized (channels) {
            channels.add(c);
        }
        return c;
    }

    /** Bytes of a file before a write changed them. */
    private record PreImage(long position, byte[] bytes) {
    }

    private final class Channel extends FileChannel {
        private final Path path;
        private final FileChannel d;
        private final boolean synced;
        // Guarded by this: what to put back at a power cut.
        private final Deque<PreImage> unsynced = new ArrayDeque<>();
        private long syncedSize = -1;

        Channel(Path path, FileChannel delegate, boolean synced) {
            this.path = path;
            this.d = delegate;
            this.synced = synced;
        }

        // Held across the write, so a power cut never interleaves with one.
        private synchronized int write(ByteBuffer src, long position, boolean atChannelPosition) throws IOException {
            if (powerLost) {
                throw new IOException("Input/output error: the power is off");
            }
            if (diskFull && position + src.remaining() > d.size()) {
                // Store a few bytes, as a write that ran out of space midway does.
                int partial = Math.min(src.remaining(), 7);
                if (partial > 0) {
                    ByteBuffer head = src.duplicate();
                    head.limit(head.position() + partial);
                    remember(position, partial);
                    d.write(head, position);
                }
                throw new IOException("No space left on device");
            }
            remember(position, src.remaining());
            return atChannelPosition ? d.write(src) : d.write(src, position);
        }

        private void remember(long position, int length) throws IOException {
            if (synced) {
                return;
            }
            long size = d.size();
            if (syncedSize < 0) {
                syncedSize = size;
            }
            int overlap = (int) Math.max(0, Math.min(length, size - position));
            ByteBuffer old = ByteBuffer.allocate(overlap);
            d.read(old, position);
            unsynced.push(new PreImage(position, old.array()));
        }

        synchronized void revertUnsynced() throws IOException {
            if (unsynced.isEmpty() || !Files.exists(path)) {
                return;
            }
            try (FileChannel f = FileChannel.open(path, StandardOpenOption.WRITE)) {
                while (!unsynced.isEmpty()) {
                    PreImage p = unsynced.pop();
                    f.write(ByteBuffer.wrap(p.bytes()), p.position());
                }
                if (f.size() > syncedSize) {
                    f.truncate(syncedSize);
                }
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return write(src, d.position(), true);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long written = 0;
            for (int i = offset; i < offset + length; i++) {
                written += write(srcs[i]);
                if (srcs[i].hasRemaining()) {
                    // A short write ends the call, as the operating system's does: the caller writes the rest.
                    break;
                }
            }
            return written;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return write(src, position, false);
        }

        @Override
        public synchronized void force(boolean metaData) throws IOException {
            if (fsyncBroken || powerLost) {
                throw new IOException("Input/output error");
            }
            d.force(metaData);
            unsynced.clear();
            syncedSize = -1;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public synchronized FileChannel truncate(long size) throws IOException {
            if (powerLost) {
                throw new IOException("Input/output error: the power is off");
            }
            if (!synced && size < d.size()) {
                remember(size, (int) Math.min(Integer.MAX_VALUE, d.size() - size));
            }
            d.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return d.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
            synchronized (this) {
                if (!unsynced.isEmpty()) {
                    // What the page cache holds for a closed file is lost at a power cut too.
                    return;
                }
            }
            synchronized (channels) {
                channels.remove(this);
            }
        }
    }
}
