package io.wharf.protocol.kafka;

import io.wharf.core.BrokerException;
import org.apache.kafka.common.protocol.Errors;

import java.util.concurrent.CompletionException;

/** The Kafka error code for a failure of the core's, as a Kafka broker would answer it. Stateless. */
final class KafkaErrors {

    private KafkaErrors() {
    }

    /** The failure inside a future's {@link CompletionException}, or the failure itself. */
    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * The error for {@code e}: a refused permission is TOPIC_AUTHORIZATION_FAILED (every core
     * check a Kafka request reaches is on a stream), a missing stream UNKNOWN_TOPIC_OR_PARTITION;
     * a Kafka exception keeps its own code, anything else is UNKNOWN_SERVER_ERROR.
     */
    static Errors of(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof BrokerException b) {
            return switch (b.kind()) {
                case ACCESS_REFUSED -> Errors.TOPIC_AUTHORIZATION_FAILED;
                case NOT_FOUND -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
                default -> Errors.forException(cause);
            };
        }
        return Errors.forException(cause);
    }
}
