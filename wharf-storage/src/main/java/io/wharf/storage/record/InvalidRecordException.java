package io.wharf.storage.record;

import io.wharf.storage.StorageException;

/** A record batch whose bytes do not follow the batch format: wrong sizes, magic, CRC or encoding. */
public class InvalidRecordException extends StorageException {

    public InvalidRecordException(String message) {
        super(message);
    }
}
