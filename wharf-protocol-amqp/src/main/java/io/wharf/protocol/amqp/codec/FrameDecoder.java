package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.AmqpConstants.FRAME_END;
import static io.wharf.protocol.amqp.codec.AmqpConstants.FRAME_HEADER_SIZE;
import static io.wharf.protocol.amqp.codec.AmqpConstants.FRAME_OVERHEAD;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.message.WireReader;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Splits a connection's bytes into {@link Frame}s: first the eight-byte protocol header, then frames.
 *
 * <p>Every problem with the input becomes an {@link AmqpException} (which Netty hands to
 * {@code exceptionCaught} wrapped in a {@code DecoderException}): FRAME_ERROR for bad framing (unknown type,
 * missing frame-end, a frame over frame-max, a heartbeat off channel 0 or with payload, a negative body
 * size), SYNTAX_ERROR for malformed method arguments or content properties, NOT_IMPLEMENTED for unknown
 * methods and UNEXPECTED_FRAME for a content header of a class other than basic, the only class with
 * content (RabbitMQ answers a content header of the wrong class the same way). After an error, or after a
 * protocol header other than AMQP 0-9-1's, the decoder discards all further input: framing is lost and the
 * connection is about to close.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private enum State { PROTOCOL_HEADER, FRAMES, DISCARDING }

    /** Content header payload before the properties: class, weight, body size. */
    private static final int HEADER_PREFIX = 12;
    /** Method payload before the arguments: class and method ids. */
    private static final int METHOD_PREFIX = 4;

    private State state = State.PROTOCOL_HEADER;
    private int maxFrameSize = AmqpConstants.DEFAULT_MAX_FRAME_SIZE;

    /**
     * Sets the largest frame accepted, frame overhead included, once connection.tune-ok has settled it.
     *
     * @param maxFrameSize at least {@link AmqpConstants#FRAME_MIN_SIZE}, or 0 for no limit beyond what a
     *                     buffer can hold
     */
    public void setMaxFrameSize(int maxFrameSize) {
        if (maxFrameSize != 0 && maxFrameSize < AmqpConstants.FRAME_MIN_SIZE) {
            throw new IllegalArgumentException("frame-max " + maxFrameSize + " is below the minimum "
                    + AmqpConstants.FRAME_MIN_SIZE);
        }
        this.maxFrameSize = maxFrameSize == 0 ? Integer.MAX_VALUE : maxFrameSize;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case PROTOCOL_HEADER -> decodeProtocolHeader(in, out);
            case FRAMES -> {
                Frame frame;
                try {
                    frame = decodeFrame(in);
                } catch (AmqpException e) {
                    throw fail(in, e);
                } catch (MalformedDataException e) {
                    throw fail(in, new AmqpException(ReplyCode.SYNTAX_ERROR, e.getMessage(), 0, 0, 0, true, e));
                } catch (RuntimeException e) {
                    // Unreachable if the checks below are complete; still, a peer's bytes must not surface
                    // as anything but a protocol error.
                    throw fail(in, new AmqpException(ReplyCode.FRAME_ERROR, "undecodable frame: " + e, 0, 0, 0,
                            true, e));
                }
                if (frame != null) {
                    out.add(frame);
                }
            }
            case DISCARDING -> in.skipBytes(in.readableBytes());
        }
    }

    private AmqpException fail(ByteBuf in, AmqpException e) {
        state = State.DISCARDING;
        in.skipBytes(in.readableBytes());
        return e;
    }

    private void decodeProtocolHeader(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 8) {
            return;
        }
        byte[] received = new byte[8];
        in.readBytes(received);
        boolean supported = AmqpConstants.isProtocolHeader(received);
        state = supported ? State.FRAMES : State.DISCARDING;
        out.add(new ProtocolHeaderFrame(supported, received));
    }

    /** The next frame, or null until all its bytes have arrived. */
    private Frame decodeFrame(ByteBuf in) {
        if (in.readableBytes() < FRAME_HEADER_SIZE) {
            return null;
        }
        int at = in.readerIndex();
        int type = in.getUnsignedByte(at);
        int channel = in.getUnsignedShort(at + 1);
        long size = in.getUnsignedInt(at + 3);
        // Type and size are checked before waiting for the payload, so garbage is never buffered.
        if (type != AmqpConstants.METHOD && type != AmqpConstants.HEADER && type != AmqpConstants.BODY
                && type != AmqpConstants.HEARTBEAT) {
            throw frameError(channel, "unknown frame type " + type);
        }
        if (size > (long) maxFrameSize - FRAME_OVERHEAD) {
            throw frameError(channel, "frame size " + (size + FRAME_OVERHEAD) + " exceeds frame-max " + maxFrameSize);
        }
        if (type == AmqpConstants.HEARTBEAT && channel != 0) {
            throw frameError(channel, "heartbeat frame on channel " + channel);
        }
        int length = (int) size;
        if (in.readableBytes() < length + FRAME_OVERHEAD) {
            return null;
        }
        int end = in.getUnsignedByte(at + FRAME_HEADER_SIZE + length);
        if (end != FRAME_END) {
            throw frameError(channel, String.format("frame end octet 0x%02x instead of 0xce", end));
        }
        int from = at + FRAME_HEADER_SIZE;
        Frame frame = switch (type) {
            case AmqpConstants.METHOD -> methodFrame(channel, in.slice(from, length));
            case AmqpConstants.HEADER -> headerFrame(channel, in.slice(from, length));
            // A view of the received bytes, not a copy: bodies are most of the traffic.
            case AmqpConstants.BODY -> new BodyFrame(channel, in.retainedSlice(from, length));
            default -> heartbeatFrame(length);
        };
        in.readerIndex(at + length + FRAME_OVERHEAD);
        return frame;
    }

    private static MethodFrame methodFrame(int channel, ByteBuf payload) {
        if (payload.readableBytes() < METHOD_PREFIX) {
            throw frameError(channel, "method frame of " + payload.readableBytes() + " bytes has no method id");
        }
        int classId = payload.readUnsignedShort();
        int methodId = payload.readUnsignedShort();
        try {
            return new MethodFrame(channel, Methods.read(classId, methodId, payload));
        } catch (AmqpException e) {
            throw e.withChannel(channel);
        }
    }

    private static HeaderFrame headerFrame(int channel, ByteBuf payload) {
        if (payload.readableBytes() < HEADER_PREFIX) {
            throw frameError(channel, "content header frame of " + payload.readableBytes() + " bytes is too short");
        }
        int classId = payload.readUnsignedShort();
        payload.skipBytes(2); // weight: reserved, always 0
        long bodySize = payload.readLong();
        if (classId != BasicMethod.CLASS_ID) {
            throw new AmqpException(ReplyCode.UNEXPECTED_FRAME, "content header for class " + classId
                    + "; only basic (60) has content", channel, classId, 0, true, null);
        }
        if (bodySize < 0) {
            throw frameError(channel, "content header with negative body size " + bodySize);
        }
        byte[] raw = new byte[payload.readableBytes()];
        payload.readBytes(raw);
        WireReader reader = new WireReader(ByteBuffer.wrap(raw));
        MessageProperties properties;
        try {
            properties = MessageProperties.read(reader);
        } catch (MalformedDataException e) {
            throw syntaxError(channel, "malformed content properties: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // e.g. a timestamp beyond Instant's range: well-formed bytes, but not a value we can hold
            throw syntaxError(channel, "malformed content properties: " + e, e);
        }
        if (reader.remaining() > 0) {
            throw syntaxError(channel, reader.remaining() + " bytes after the content properties", null);
        }
        return new HeaderFrame(channel, classId, bodySize, properties, raw);
    }

    private static HeartbeatFrame heartbeatFrame(int length) {
        if (length != 0) {
            throw frameError(0, "heartbeat frame with " + length + " bytes of payload");
        }
        return HeartbeatFrame.INSTANCE;
    }

    private static AmqpException frameError(int channel, String text) {
        return new AmqpException(ReplyCode.FRAME_ERROR, text, channel, 0, 0, true, null);
    }

    private static AmqpException syntaxError(int channel, String text, Throwable cause) {
        return new AmqpException(ReplyCode.SYNTAX_ERROR, text, channel, BasicMethod.CLASS_ID, 0, true, cause);
    }
}
