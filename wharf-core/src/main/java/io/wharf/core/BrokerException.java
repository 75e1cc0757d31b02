package io.wharf.core;

/**
 * A broker operation refused for a reason the client can act on. Protocol adapters turn the kind
 * into their own error codes (AMQP reply codes, Kafka error codes, MQTT reason codes, STOMP
 * ERROR frames); the message is written for the client to read.
 */
public final class BrokerException extends RuntimeException {

    /** Why an operation was refused. */
    public enum Kind {
        /** The named object does not exist. */
        NOT_FOUND,
        /** The user may not do this. */
        ACCESS_REFUSED,
        /** The request contradicts what exists or is invalid: inequivalent redeclare, bad argument, queue not empty. */
        PRECONDITION_FAILED,
        /** The object is owned by another connection (an exclusive queue or consumer). */
        RESOURCE_LOCKED,
        /** The operation is not permitted in this context at all (such as a virtual host not granted). */
        NOT_ALLOWED,
        /** The broker lacks a resource to do it now (a full disk, a closed log). */
        RESOURCE_ERROR,
        /** The request names something invalid for its kind, such as an unknown exchange type. */
        COMMAND_INVALID,
        /** The feature is not implemented. */
        NOT_IMPLEMENTED,
        /** A fault of the broker's own. */
        INTERNAL
    }

    private final Kind kind;

    public BrokerException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BrokerException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static BrokerException notFound(String message) {
        return new BrokerException(Kind.NOT_FOUND, message);
    }

    public static BrokerException accessRefused(String message) {
        return new BrokerException(Kind.ACCESS_REFUSED, message);
    }

    public static BrokerException preconditionFailed(String message) {
        return new BrokerException(Kind.PRECONDITION_FAILED, message);
    }

    public static BrokerException resourceLocked(String message) {
        return new BrokerException(Kind.RESOURCE_LOCKED, message);
    }
}
