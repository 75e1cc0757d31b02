package io.wharf.storage.log;

import io.wharf.storage.StorageException;

/** A read below the log's start offset or beyond its end. */
public final class OffsetOutOfRangeException extends StorageException {

    private final long startOffset;
    private final long endOffset;

    public OffsetOutOfRangeException(String log, long requested, long startOffset, long endOffset) {
        super("offset " + requested + " is outside log " + log + " [" + startOffset + ", " + endOffset + ")");
        this.startOffset = startOffset;
        this.endOffset = endOffset;
    }

    public long startOffset() {
        return startOffset;
    }

    public long endOffset() {
        return endOffset;
    }
}
