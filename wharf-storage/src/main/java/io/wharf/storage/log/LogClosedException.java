package io.wharf.storage.log;

import io.wharf.storage.StorageException;

/** An operation on a log that has been closed, deleted, or failed permanently. */
public final class LogClosedException extends StorageException {

    public LogClosedException(String message) {
        super(message);
    }
}
