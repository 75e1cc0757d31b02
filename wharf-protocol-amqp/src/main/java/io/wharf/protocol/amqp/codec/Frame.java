package io.wharf.protocol.amqp.codec;

/** One unit of an AMQP 0-9-1 connection's traffic, as {@link FrameDecoder} produces and {@link FrameEncoder} writes. */
public sealed interface Frame permits MethodFrame, HeaderFrame, BodyFrame, HeartbeatFrame, ProtocolHeaderFrame {
}
