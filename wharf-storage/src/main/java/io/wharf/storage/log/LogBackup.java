package io.wharf.storage.log;

import io.wharf.storage.file.AtomicFile;
import io.wharf.storage.file.Directories;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A log as a backup takes it: every batch that was durable at the moment of the cut, from the
 * segments pinned then, so that retention cannot delete them and appends after the cut are left
 * out. Closed segments never change; of the segment being written, only the bytes below the cut
 * are copied. The copy opens as a log that was not closed cleanly, which rebuilds the index of its
 * newest segment and starts at the cut's end offset.
 *
 * <p>Not thread-safe; close it once copied to let the segments go.
 */
public final class LogBackup implements AutoCloseable {

    /** Bytes copied between two calls of the progress callback, which may end the copy by throwing. */
    private static final long CHUNK = 8 << 20;

    /** The bytes of one pinned segment to copy. */
    record Part(LogSegment segment, int length) {
    }

    private final String name;
    private final Path dir;
    private final long startOffset;
    private final long endOffset;
    private final List<Part> parts;

    LogBackup(String name, Path dir, long startOffset, long endOffset, List<Part> parts) {
        this.name = name;
        this.dir = dir;
        this.startOffset = startOffset;
        this.endOffset = endOffset;
        this.parts = parts;
    }

    public String name() {
        return name;
    }

    /** The directory the log's copy belongs in, under the backup's {@code logs/}. */
    public String directoryName() {
        return dir.getFileName().toString();
    }

    /** Bytes of segment data the copy takes. */
    public long bytes() {
        return parts.stream().mapToLong(Part::length).sum();
    }

    /**
     * Copies the cut into {@code target}, a new directory, telling {@code copied} of each stretch of
     * bytes as it is written (at most 8 MiB at a time: it may throw to end the copy); forces every
     * file.
     *
     * @throws java.nio.channels.ClosedChannelException if the log was deleted since the cut
     */
    public void copyTo(Path target, LongConsumer copied) throws IOException {
        Directories.createDurably(target);
        AtomicFile.write(target.resolve("log.name"), name.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            LogSegment seg = p.segment();
            try (FileChannel out = FileChannel.open(LogSegment.dataFile(target, seg.baseOffset),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long done = 0;
                while (done < p.length()) {
                    long n = seg.channel().transferTo(done, Math.min(CHUNK, p.length() - done), out);
                    if (n <= 0) {
                        throw new IOException(seg.file() + " ended before byte " + p.length());
                    }
                    done += n;
                    copied.accept(n);
                }
                out.force(true);
            }
            // The newest part's indexes are rebuilt when the copy opens; older ones are complete.
            if (i < parts.size() - 1) {
                for (String suffix : List.of(LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX)) {
                    Path index = dir.resolve(LogSegment.fileStem(seg.baseOffset) + suffix);
                    if (Files.exists(index)) {
                        Files.copy(index, target.resolve(index.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        Path damage = dir.resolve(DamageRegistry.FILE);
        if (Files.exists(damage)) {
            Files.copy(damage, target.resolve(DamageRegistry.FILE));
        }
        long recoveryPoint = parts.isEmpty() ? startOffset : parts.get(parts.size() - 1).segment().baseOffset;
        new LogCheckpoint(recoveryPoint, startOffset, endOffset).write(target);
        Directories.force(target);
    }

    @Override
    public void close() {
        parts.forEach(p -> p.segment().release());
    }
}
