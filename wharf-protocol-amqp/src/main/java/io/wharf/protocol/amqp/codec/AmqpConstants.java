package io.wharf.protocol.amqp.codec;

/** Frame types, frame limits and the protocol header of AMQP 0-9-1. */
public final class AmqpConstants {

    /** Frame type of a method frame. */
    public static final int METHOD = 1;
    /** Frame type of a content header frame. */
    public static final int HEADER = 2;
    /** Frame type of a content body frame. */
    public static final int BODY = 3;
    /** Frame type of a heartbeat frame. */
    public static final int HEARTBEAT = 8;

    /** The octet that closes every frame. */
    public static final int FRAME_END = 0xCE;
    /** The smallest frame-max a peer may negotiate; frames up to this size are always allowed. */
    public static final int FRAME_MIN_SIZE = 4096;
    /** Bytes a frame adds around its payload: type, channel, size and the frame-end octet. */
    public static final int FRAME_OVERHEAD = 8;
    /** Bytes before a frame's payload: type, channel and size. */
    public static final int FRAME_HEADER_SIZE = 7;
    /**
     * The largest frame accepted before tuning; generous because the start-ok that precedes tuning carries
     * the client's properties, which can be large.
     */
    public static final int DEFAULT_MAX_FRAME_SIZE = 131072;

    private static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    private AmqpConstants() {
    }

    /** The eight bytes that open an AMQP 0-9-1 connection: "AMQP" 0 0 9 1. A fresh copy. */
    public static byte[] protocolHeader() {
        return PROTOCOL_HEADER.clone();
    }

    static boolean isProtocolHeader(byte[] received) {
        return java.util.Arrays.equals(PROTOCOL_HEADER, received);
    }
}
