package io.wharf.examples;

import java.util.Objects;

/**
 * A log line as the routing and topic examples send it: the routing key it was published with (a
 * severity, or a dotted {@code facility.severity}) and its text.
 */
public record LogLine(String routingKey, String message) {

    public LogLine {
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return routingKey + ": " + message;
    }
}
