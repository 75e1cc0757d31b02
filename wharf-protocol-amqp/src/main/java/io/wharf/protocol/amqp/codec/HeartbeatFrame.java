package io.wharf.protocol.amqp.codec;

/** A heartbeat frame, always on channel 0 and without payload. */
public record HeartbeatFrame() implements Frame {

    public static final HeartbeatFrame INSTANCE = new HeartbeatFrame();
}
