package io.wharf.storage.log;

import io.wharf.storage.file.FileChannelFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * File channels that fail on command the way a full or failing disk does: a write that stores
 * part of its bytes and then reports ENOSPC, or an fsync that reports EIO.
 */
final class FaultyChannels implements FileChannelFactory {

    private volatile boolean diskFull;
    private volatile boolean fsyncBroken;

    void diskFull(boolean full) {
        this.diskFull = full;
    }

    void fsyncBroken(boolean broken) {
        this.fsyncBroken = broken;
    }

    @Override
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return new Channel(FileChannel.open(path, options));
    }

    private final class Channel extends FileChannel {
        private final FileChannel d;

        Channel(FileChannel delegate) {
            this.d = delegate;
        }

        private void checkSpace(ByteBuffer src, long position) throws IOException {
            if (diskFull && position + src.remaining() > d.size()) {
                // Store a few bytes, as a write that ran out of space midway does.
                int partial = Math.min(src.remaining(), 7);
                if (partial > 0) {
                    ByteBuffer head = src.duplicate();
                    head.limit(head.position() + partial);
                    d.write(head, position);
                }
                throw new IOException("No space left on device");
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            checkSpace(src, d.position());
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (diskFull) {
                for (int i = offset; i < offset + length; i++) {
                    if (srcs[i].hasRemaining()) {
                        checkSpace(srcs[i], d.position());
                    }
                }
            }
            return d.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            checkSpace(src, position);
            return d.write(src, position);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (fsyncBroken) {
                throw new IOException("Input/output error");
            }
            d.force(metaData);
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
        public FileChannel truncate(long size) throws IOException {
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
        }
    }
}
