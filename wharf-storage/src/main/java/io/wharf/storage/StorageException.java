package io.wharf.storage;

/**
 * Base of every error the storage layer reports. Callers above storage map subclasses to
 * their protocol's own error codes; the message always names the file or log involved.
 */
public class StorageException extends RuntimeException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
