package io.wharf.core.message;

/** Bytes that do not follow the encoding they claim: a truncated field, an unknown type tag, a bad length. */
public final class MalformedDataException extends RuntimeException {

    public MalformedDataException(String message) {
        super(message);
    }
}
