package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.AmqpConstants.FRAME_END;
import static io.wharf.protocol.amqp.codec.AmqpConstants.FRAME_OVERHEAD;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Writes frames straight into a Netty buffer: the path every delivery takes, so nothing here builds
 * intermediate frame objects. A write that fails (a short string too long) leaves the buffer as it was.
 */
public final class Frames {

    /** Bytes of a content header frame's payload before the properties: class, weight, body size. */
    private static final int HEADER_PREFIX = 12;

    private Frames() {
    }

    /** Writes the protocol header "AMQP" 0 0 9 1. */
    public static void writeProtocolHeader(ByteBuf out) {
        out.writeBytes(AmqpConstants.protocolHeader());
    }

    /** Writes a heartbeat frame. */
    public static void writeHeartbeat(ByteBuf out) {
        out.writeByte(AmqpConstants.HEARTBEAT);
        out.writeShort(0);
        out.writeInt(0);
        out.writeByte(FRAME_END);
    }

    /**
     * Writes a method frame.
     *
     * @throws IllegalArgumentException if an argument cannot be encoded; {@code out} is then unchanged
     */
    public static void writeMethod(ByteBuf out, int channel, Method method) {
        int start = out.writerIndex();
        try {
            out.writeByte(AmqpConstants.METHOD);
            out.writeShort(channel);
            int sizeAt = out.writerIndex();
            out.writeInt(0);
            out.writeShort(method.classId());
            out.writeShort(method.methodId());
            method.write(out);
            // The arguments' size is known only once they are written.
            out.setInt(sizeAt, out.writerIndex() - sizeAt - 4);
            out.writeByte(FRAME_END);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /** Writes a content header frame with property bytes already encoded (flags, then the present fields). */
    public static void writeHeader(ByteBuf out, int channel, int classId, long bodySize, byte[] rawProperties) {
        out.writeByte(AmqpConstants.HEADER);
        out.writeShort(channel);
        out.writeInt(HEADER_PREFIX + rawProperties.length);
        out.writeShort(classId);
        out.writeShort(0);
        out.writeLong(bodySize);
        out.writeBytes(rawProperties);
        out.writeByte(FRAME_END);
    }

    /**
     * Writes one body frame holding all of {@code payload}'s readable bytes, leaving its reader index and
     * reference count alone.
     */
    public static void writeBody(ByteBuf out, int channel, ByteBuf payload) {
        writeBody(out, channel, payload, payload.readerIndex(), payload.readableBytes());
    }

    private static void writeBody(ByteBuf out, int channel, ByteBuf body, int from, int length) {
        out.writeByte(AmqpConstants.BODY);
        out.writeShort(channel);
        out.writeInt(length);
        out.writeBytes(body, from, length);
        out.writeByte(FRAME_END);
    }

    private static void writeBody(ByteBuf out, int channel, byte[] body, int from, int length) {
        out.writeByte(AmqpConstants.BODY);
        out.writeShort(channel);
        out.writeInt(length);
        out.writeBytes(body, from, length);
        out.writeByte(FRAME_END);
    }

    /**
     * Writes a content-carrying method, its header and its body as one run of frames: the body is split into
     * body frames of at most {@code frameMax - 8} bytes, and an empty body takes no body frame. The body's
     * readable bytes are copied; its reader index and reference count are left alone.
     *
     * @param rawProperties the encoded properties (flags, then the present fields)
     * @param frameMax      the negotiated frame-max, 0 for no limit
     * @throws IllegalArgumentException if the method carries no content, frame-max leaves no room for a body
     *                                  byte, or an argument cannot be encoded; {@code out} is then unchanged
     */
    public static void writeContent(ByteBuf out, int channel, Method method, byte[] rawProperties, ByteBuf body,
                                    int frameMax) {
        int chunk = bodyChunk(method, frameMax);
        int length = body.readableBytes();
        out.ensureWritable(expectedSize(rawProperties, length, chunk));
        int start = out.writerIndex();
        try {
            writeMethod(out, channel, method);
            writeHeader(out, channel, method.classId(), length, rawProperties);
            int end = body.writerIndex();
            for (int at = body.readerIndex(); at < end; at += chunk) {
                writeBody(out, channel, body, at, Math.min(chunk, end - at));
            }
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /** As {@link #writeContent(ByteBuf, int, Method, byte[], ByteBuf, int)}, for a body in an array. */
    public static void writeContent(ByteBuf out, int channel, Method method, byte[] rawProperties, byte[] body,
                                    int frameMax) {
        int chunk = bodyChunk(method, frameMax);
        out.ensureWritable(expectedSize(rawProperties, body.length, chunk));
        int start = out.writerIndex();
        try {
            writeMethod(out, channel, method);
            writeHeader(out, channel, method.classId(), body.length, rawProperties);
            for (int at = 0; at < body.length; at += chunk) {
                writeBody(out, channel, body, at, Math.min(chunk, body.length - at));
            }
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    private static int bodyChunk(Method method, int frameMax) {
        if (!method.hasContent()) {
            throw new IllegalArgumentException(method.name() + " carries no content");
        }
        if (frameMax == 0) {
            return Integer.MAX_VALUE;
        }
        if (frameMax <= FRAME_OVERHEAD) {
            throw new IllegalArgumentException("frame-max " + frameMax + " leaves no room for a body");
        }
        return frameMax - FRAME_OVERHEAD;
    }

    /** A guess at the bytes a content run takes, so the buffer grows once rather than frame by frame. */
    private static int expectedSize(byte[] rawProperties, int bodyLength, int chunk) {
        Objects.requireNonNull(rawProperties, "rawProperties");
        long bodyFrames = bodyLength == 0 ? 0 : (bodyLength - 1L) / chunk + 1;
        long size = 128L + FRAME_OVERHEAD + HEADER_PREFIX + rawProperties.length + bodyLength
                + bodyFrames * FRAME_OVERHEAD;
        return (int) Math.min(size, Integer.MAX_VALUE - 16);
    }
}
