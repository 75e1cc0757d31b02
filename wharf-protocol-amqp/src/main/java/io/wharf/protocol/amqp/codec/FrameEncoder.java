package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Encodes {@link Frame}s for the outbound pipeline. Body frames are released once written. Hot paths that
 * write many frames at once use {@link Frames} directly instead.
 */
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        int size = switch (frame) {
            case BodyFrame body -> AmqpConstants.FRAME_OVERHEAD + body.payload().readableBytes();
            case HeaderFrame header -> AmqpConstants.FRAME_OVERHEAD + 12 + header.rawProperties().length;
            case HeartbeatFrame heartbeat -> AmqpConstants.FRAME_OVERHEAD;
            case ProtocolHeaderFrame header -> header.received().length;
            case MethodFrame method -> 256;
        };
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        switch (frame) {
            case MethodFrame m -> Frames.writeMethod(out, m.channel(), m.method());
            case HeaderFrame h -> Frames.writeHeader(out, h.channel(), h.classId(), h.bodySize(), h.rawProperties());
            case BodyFrame b -> Frames.writeBody(out, b.channel(), b.payload());
            case HeartbeatFrame h -> Frames.writeHeartbeat(out);
            case ProtocolHeaderFrame p -> out.writeBytes(p.received());
        }
    }
}
