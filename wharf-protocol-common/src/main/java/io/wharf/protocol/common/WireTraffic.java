package io.wharf.protocol.common;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.wharf.core.connection.ClientConnection;

/**
 * Counts the bytes a connection reads and writes on the wire, for its {@link ClientConnection}.
 * Every listener puts one first in each connection's pipeline, so the counts include the
 * protocol's framing and, over WebSocket, the HTTP upgrade and WebSocket frames. It costs one
 * {@code LongAdder} addition per read and per write, not per message.
 *
 * <p>Bytes are counted when written to the pipeline's head, not when the socket has taken them:
 * a write that fails because the connection dropped still counts. Until the protocol handler
 * has {@linkplain #countFor said} which connection it counts for, nothing is counted.
 *
 * <p>Confined to the channel's event loop, as Netty calls handlers there.
 */
public final class WireTraffic extends ChannelDuplexHandler {

    /** The handler's name in the pipeline. */
    public static final String NAME = "wire-traffic";

    private ClientConnection connection;

    /** Counts from now on for {@code connection}; called on the event loop. */
    void countFor(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientConnection c = connection;
        if (c != null) {
            long n = size(msg);
            if (n > 0) {
                c.bytesIn(n);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ClientConnection c = connection;
        if (c != null) {
            long n = size(msg);
            if (n > 0) {
                c.bytesOut(n);
            }
        }
        ctx.write(msg, promise);
    }

    private static long size(Object msg) {
        return switch (msg) {
            case ByteBuf b -> b.readableBytes();
            case ByteBufHolder h -> h.content().readableBytes();
            case FileRegion r -> r.count() - r.transferred();
            default -> 0;
        };
    }
}
