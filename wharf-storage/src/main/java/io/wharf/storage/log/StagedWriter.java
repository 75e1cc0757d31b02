package io.wharf.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes many buffers one after another into a file with as few system calls as it can. Heap
 * buffers are copied into one direct staging buffer, a large one piece by piece: the JDK would
 * copy each into a temporary direct buffer of its own, and keep those for the thread. Direct
 * buffers, such as message bodies still in the network buffers they arrived in, are written from
 * where they are. All of it goes out in gathering writes.
 *
 * <p>One per log writer thread ({@link #at}); not thread-safe. It moves the channel's position,
 * which nothing else of a segment uses: readers read at positions of their own.
 */
final class StagedWriter {

    private static final int STAGE_BYTES = 1 << 20;
    private static final ThreadLocal<StagedWriter> PER_THREAD = ThreadLocal.withInitial(StagedWriter::new);

    private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE_BYTES);
    private ByteBuffer[] out = new ByteBuffer[64];
    private int count;
    // Where the staged bytes not yet listed in out begin.
    private int stagedFrom;
    private FileChannel channel;
    private long position;

    private StagedWriter() {
    }

    /** This thread's writer, ready to write into {@code channel} from {@code position}. */
    static StagedWriter at(FileChannel channel, long position) {
        StagedWriter w = PER_THREAD.get();
        w.channel = channel;
        w.position = position;
        w.stage.clear();
        w.stagedFrom = 0;
        w.count = 0;
        return w;
    }

    /** Adds the bytes of {@code b} from its position to its limit, leaving {@code b} as it is. */
    void add(ByteBuffer b) throws IOException {
        if (b.isDirect()) {
            listStaged();
            list(b.duplicate());
            return;
        }
        ByteBuffer rest = b.duplicate();
        while (rest.hasRemaining()) {
            if (!stage.hasRemaining()) {
                flush();
            }
            int n = Math.min(rest.remaining(), stage.remaining());
            stage.put(stage.position(), rest, rest.position(), n);
            stage.position(stage.position() + n);
            rest.position(rest.position() + n);
        }
    }

    /** Writes everything added; returns the position after it. */
    long finish() throws IOException {
        try {
            flush();
            return position;
        } finally {
            channel = null;
        }
    }

    private void flush() throws IOException {
        listStaged();
        try {
            channel.position(position);
            int first = 0;
            while (first < count) {
                position += channel.write(out, first, count - first);
                while (first < count && !out[first].hasRemaining()) {
                    first++;
                }
            }
        } finally {
            // Written or failed, the buffers are let go: the writer outlives this write.
            Arrays.fill(out, 0, count, null);
            count = 0;
            stage.clear();
            stagedFrom = 0;
        }
    }

    private void listStaged() {
        if (stage.position() > stagedFrom) {
            list(stage.duplicate().limit(stage.position()).position(stagedFrom));
            stagedFrom = stage.position();
        }
    }

    private void list(ByteBuffer b) {
        if (count == out.length) {
            out = Arrays.copyOf(out, count * 2);
        }
        out[count++] = b;
    }
}
