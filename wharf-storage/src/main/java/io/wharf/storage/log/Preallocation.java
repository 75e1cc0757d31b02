package io.wharf.storage.log;

import io.wharf.storage.file.FileChannelFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.nio.file.StandardOpenOption;

/**
 * Zero-fills a segment file ahead of its writer, so that the writer's fdatasync has no change of
 * file size to record. Chunks start small, so a quiet log costs little disk, and double up to
 * 8 MiB for busy ones. The allocation mark keeps the zero-filler and the writer apart: the writer
 * claims the space it writes, and the zero-filler never writes below a claim.
 *
 * <p>Threading: the log's writer calls {@link #claim}, {@link #maybeExtend}, {@link #truncate}
 * and {@link #stopAndTrim}; the zero-filling runs on the environment's preallocator thread; all
 * state is guarded by this object's monitor.
 */
final class Preallocation {

    private static final int MIN_CHUNK = 64 * 1024;
    private static final int MAX_CHUNK = 8 * 1024 * 1024;
    private static final int ZERO_PIECE = 256 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_PIECE).asReadOnlyBuffer();

    private final Path file;
    private final FileChannelFactory channels;
    private long allocatedEnd;
    private long zeroingFrom = -1;
    private int chunks;
    private boolean scheduled;
    private boolean stopped;

    Preallocation(Path file, FileChannelFactory channels, long allocatedEnd) {
        this.file = file;
        this.channels = channels;
        this.allocatedEnd = allocatedEnd;
    }

    /** Reserves [.., end) for the writer, waiting for a zero-fill that overlaps it. */
    synchronized void claim(long end) {
        awaitZeroing(end);
        if (end > allocatedEnd) {
            allocatedEnd = end;
        }
    }

    /** Schedules the next chunk when the writer, at {@code written}, gets close to the allocated end. */
    synchronized void maybeExtend(Executor preallocator, long written, int segmentBytes) {
        if (stopped || scheduled) {
            return;
        }
        long chunk = Math.min(MAX_CHUNK, (long) MIN_CHUNK << Math.min(chunks, 10));
        if (allocatedEnd - written >= chunk / 2 || allocatedEnd >= segmentBytes) {
            return;
        }
        scheduled = true;
        long to = Math.min(segmentBytes, allocatedEnd + chunk);
        try {
            preallocator.execute(() -> zeroFill(to));
        } catch (RejectedExecutionException shuttingDown) {
            scheduled = false;
        }
    }

    /** Cuts the file to {@code size} once no zero-fill runs, as when a failed write is undone. */
    synchronized void truncate(FileChannel channel, long size) throws IOException {
        awaitZeroing(Long.MAX_VALUE);
        channel.truncate(size);
        allocatedEnd = size;
    }

    /** Stops preallocating for good and cuts unused preallocated space off the file. */
    synchronized void stopAndTrim(FileChannel channel, long size) throws IOException {
        stopped = true;
        awaitZeroing(Long.MAX_VALUE);
        if (channel.size() != size) {
            channel.truncate(size);
        }
        allocatedEnd = size;
    }

    /** Stops preallocating, as when the segment is deleted. */
    synchronized void stop() {
        stopped = true;
    }

    private void awaitZeroing(long end) {
        boolean interrupted = false;
        while (zeroingFrom >= 0 && zeroingFrom < end) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Zero-fills up to {@code to} in pieces written with O_DSYNC through a channel of its own. Each
     * piece is on disk before the next starts, so the writer's fdatasync never has to flush a
     * backlog of zeros (on ext4 it would: one file's fsync writes out all of that file's dirty
     * pages), and the allocation mark advances piece by piece, so the writer waits for at most one.
     */
    private void zeroFill(long to) {
        synchronized (this) {
            scheduled = false;
            if (stopped || to <= allocatedEnd) {
                return;
            }
        }
        boolean ok = false;
        try (FileChannel zeros = channels.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.DSYNC))) {
            while (true) {
                long from;
                long pieceEnd;
                synchronized (this) {
                    from = allocatedEnd;
                    if (stopped || from >= to) {
                        break;
                    }
                    pieceEnd = Math.min(to, from + ZERO_PIECE);
                    zeroingFrom = from;
                }
                try {
                    long pos = from;
                    while (pos < pieceEnd) {
                        ByteBuffer z = ZEROS.duplicate();
                        z.limit((int) Math.min(z.capacity(), pieceEnd - pos));
                        pos += zeros.write(z, pos);
                    }
                } finally {
                    synchronized (this) {
                        allocatedEnd = Math.max(allocatedEnd, pieceEnd);
                        zeroingFrom = -1;
                        notifyAll();
                    }
                }
            }
            ok = true;
        } catch (IOException e) {
            // Preallocation only saves fsync work; without it appends extend the file themselves.
        } finally {
            synchronized (this) {
                if (ok) {
                    chunks++;
                } else {
                    stopped = true;
                }
            }
        }
    }
}
