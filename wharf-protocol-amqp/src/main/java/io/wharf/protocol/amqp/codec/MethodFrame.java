package io.wharf.protocol.amqp.codec;

import java.util.Objects;

/** A method frame: one method with its arguments, on a channel (0 for the connection's own methods). */
public record MethodFrame(int channel, Method method) implements Frame {

    public MethodFrame {
        Objects.requireNonNull(method, "method");
    }
}
