package io.wharf.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Positional reads of segment files that keep reading until the buffer is full or the file ends. */
final class ChannelReads {

    private ChannelReads() {
    }

    /** Fills {@code b} from {@code position} on, stopping early only at the end of the file. */
    static void readFully(FileChannel channel, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, p);
            if (n < 0) {
                return;
            }
            p += n;
        }
    }

    /** Exactly {@code length} bytes from {@code position}, big-endian, on the heap. */
    static ByteBuffer readBytes(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        readFully(channel, b, position);
        b.flip();
        if (b.remaining() < length) {
            throw new IOException("the file ends before byte " + (position + length));
        }
        return b;
    }

    /** The base offset field of the batch at {@code position}. */
    static long baseOffsetAt(FileChannel channel, long position) throws IOException {
        return readBytes(channel, position, 8).getLong(0);
    }
}
