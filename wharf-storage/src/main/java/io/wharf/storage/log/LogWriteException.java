package io.wharf.storage.log;

import io.wharf.storage.StorageException;

/**
 * An append that did not become durable: the disk is full, a write or fsync failed, or the log
 * was closed first. Nothing of the failed append is visible to readers, now or after a restart.
 */
public final class LogWriteException extends StorageException {

    private final boolean diskFull;

    public LogWriteException(String message, Throwable cause, boolean diskFull) {
        super(message, cause);
        this.diskFull = diskFull;
    }

    /** True when the cause was a full disk: the append may succeed once space is freed. */
    public boolean diskFull() {
        return diskFull;
    }
}
