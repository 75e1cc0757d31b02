package io.wharf.storage.log;

import io.wharf.storage.StorageException;

import java.nio.file.Path;

/**
 * Stored bytes that fail their checksum or structure checks. Never served as data: the read that
 * reaches them fails with this exception, naming the file and byte position, and where a valid
 * batch follows the damage, the offset a reader may skip to.
 */
public final class CorruptRecordException extends StorageException {

    private final Path file;
    private final long position;
    private final long nextValidOffset;

    public CorruptRecordException(Path file, long position, long nextValidOffset, String detail) {
        super("corrupt data in " + file + " at byte " + position + ": " + detail
                + (nextValidOffset >= 0 ? "; the next valid batch starts at offset " + nextValidOffset : ""));
        this.file = file;
        this.position = position;
        this.nextValidOffset = nextValidOffset;
    }

    public Path file() {
        return file;
    }

    public long position() {
        return position;
    }

    /** The first offset after the damage that can be read, or -1 if none is known. */
    public long nextValidOffset() {
        return nextValidOffset;
    }
}
