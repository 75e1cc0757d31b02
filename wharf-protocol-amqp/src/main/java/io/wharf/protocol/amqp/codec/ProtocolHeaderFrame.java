package io.wharf.protocol.amqp.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The eight bytes that open a connection. {@link FrameDecoder} emits exactly one, first; {@code supported}
 * is true only for "AMQP" 0 0 9 1. On anything else the handler answers with {@link #ours()} and closes.
 */
public record ProtocolHeaderFrame(boolean supported, byte[] received) implements Frame {

    public ProtocolHeaderFrame {
        Objects.requireNonNull(received, "received");
    }

    /** The header this broker speaks, for answering a client that asked for another protocol. */
    public static ProtocolHeaderFrame ours() {
        return new ProtocolHeaderFrame(true, AmqpConstants.protocolHeader());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProtocolHeaderFrame p && supported == p.supported && Arrays.equals(received, p.received);
    }

    @Override
    public int hashCode() {
        return 31 * Boolean.hashCode(supported) + Arrays.hashCode(received);
    }

    @Override
    public String toString() {
        return "ProtocolHeaderFrame[supported=" + supported + ", received=" + HexFormat.of().formatHex(received) + "]";
    }
}
