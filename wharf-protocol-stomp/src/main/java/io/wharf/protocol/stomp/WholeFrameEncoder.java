package io.wharf.protocol.stomp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.stomp.StompSubframe;
import io.netty.handler.codec.stomp.StompSubframeEncoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Netty's STOMP encoder, with each frame's parts (headers, body, NUL) joined into one buffer:
 * over WebSocket a STOMP frame must travel as one WebSocket message, and over TCP one write per
 * frame is cheaper too.
 */
final class WholeFrameEncoder extends StompSubframeEncoder {

    @Override
    protected void encode(ChannelHandlerContext ctx, StompSubframe msg, List<Object> out) throws Exception {
        List<Object> parts = new ArrayList<>(2);
        super.encode(ctx, msg, parts);
        if (parts.size() <= 1) {
            out.addAll(parts);
            return;
        }
        CompositeByteBuf whole = ctx.alloc().compositeBuffer(parts.size());
        for (Object p : parts) {
            whole.addComponent(true, (ByteBuf) p);
        }
        out.add(whole);
    }
}
