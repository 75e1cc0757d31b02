package io.wharf.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes many buffers one after another into a file with as few system calls as it can. Small
 * heap buffers are copied into one direct staging buffer (the JDK would copy each into a direct
 * buffer of its own); direct buffers, such as message bodies still in the network buffers they
 * arrived in, and large heap ones are written from where they are; all of it goes out in
 * gathering writes.
 *
 * <p>One per log writer thread ({@link #at}); not thread-safe. It moves the channel's position,
 * which nothing else of a segment uses: readers read at positions of their own.
 */
final class StagedWriter {

    /** The largest heap buffer copied into the staging buffer. */
    private static final int STAGE_LIMIT = 64 * 1024;
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
        if (!b.isDirect() && b.remaining() <= STAGE_LIMIT) {
            if (stage.remaining() < b.remaining()) {
                flush();
            }
            stage.put(b.duplicate());
        } else {
            listStaged();
            list(b.duplicate());
        }
    }

    /** Writes everything added; returns the position after it. */
    long finish() throws IOException {
        flush();
        channel = null;
        return position;
    }

    private void flush() throws IOException {
        listStaged();
        channel.position(position);
        int first = 0;
        while (first < count) {
            position += channel.write(out, first, count - first);
            while (first < count && !out[first].hasRemaining()) {
                first++;
            }
        }
        Arrays.fill(out, 0, count, null);
        count = 0;
        stage.clear();
        stagedFrom = 0;
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
