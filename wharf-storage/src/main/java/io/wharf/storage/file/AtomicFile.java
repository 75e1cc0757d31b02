package io.wharf.storage.file;

import io.wharf.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Small files replaced atomically: write a temporary file, force it, rename it over the old
 * one and force the directory. A reader sees either the old content or the new, never a mix,
 * and a CRC32C trailer rejects a file damaged on disk.
 */
public final class AtomicFile {

    private static final int TRAILER = 8;
    private static final int MAGIC = 0x57484652; // "WHFR"

    private AtomicFile() {
    }

    /** Replaces {@code file} with {@code content} durably. */
    public static void write(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ByteBuffer buf = ByteBuffer.allocate(content.length + TRAILER);
        buf.put(content).putInt(MAGIC).putInt((int) crc(content));
        buf.flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + file + " cannot rename atomically", e);
        }
        Directories.force(file.getParent());
    }

    /**
     * Reads a file written by {@link #write}; empty if it does not exist.
     *
     * @throws StorageException if the file exists but its trailer or checksum is wrong
     */
    public static Optional<byte[]> read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (all.length < TRAILER) {
            throw new StorageException(file + " is truncated (" + all.length + " bytes)");
        }
        ByteBuffer trailer = ByteBuffer.wrap(all, all.length - TRAILER, TRAILER);
        byte[] content = new byte[all.length - TRAILER];
        System.arraycopy(all, 0, content, 0, content.length);
        if (trailer.getInt() != MAGIC || (trailer.getInt() & 0xFFFFFFFFL) != crc(content)) {
            throw new StorageException(file + " is damaged: its checksum does not match its content");
        }
        return Optional.of(content);
    }

    private static long crc(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(content);
        return crc.getValue();
    }
}
