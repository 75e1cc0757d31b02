package io.wharf.protocol.common;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A protocol carried over WebSocket (MQTT, STOMP): the HTTP upgrade on one path, then the
 * frames' contents as one byte stream for the protocol's own decoder, and each encoded unit out
 * as one WebSocket frame.
 */
public final class WebSockets {

    /** What kind of WebSocket frames a protocol uses. */
    public enum Frames {
        /** Binary frames only (MQTT); a text frame closes the connection. */
        BINARY,
        /** Text frames out, text or binary accepted in (STOMP). */
        TEXT
    }

    private WebSockets() {
    }

    /**
     * Adds the WebSocket handshake and framing to a new connection's pipeline; the protocol's
     * handlers go after them.
     *
     * @param subprotocols comma-separated subprotocols the client may ask for
     */
    public static void addTo(SocketChannel ch, String path, String subprotocols, int maxFrameBytes, Frames frames) {
        ch.pipeline().addLast("http", new HttpServerCodec());
        ch.pipeline().addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
        ch.pipeline().addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .subprotocols(subprotocols)
                .maxFramePayloadLength(maxFrameBytes)
                .build()));
        ch.pipeline().addLast("http-not-found", new NotFound(path));
        ch.pipeline().addLast("websocket-frames", new FrameCodec(frames));
    }

    /**
     * Answers a request the handshake let through (another path) with 404 at once, rather than
     * leaving the client waiting for an upgrade that will not come.
     */
    private static final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final String path;

        NotFound(String path) {
            this.path = path;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ByteBuf body = Unpooled.copiedBuffer("no WebSocket endpoint at " + request.uri() + "; this port serves "
                    + path + "\n", StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NOT_FOUND, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Frame contents in as bytes (a unit may span frames, a frame may hold several); each unit out as a frame. */
    private static final class FrameCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

        private final Frames frames;

        FrameCodec(Frames frames) {
            this.frames = frames;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf unit, List<Object> out) {
            out.add(frames == Frames.TEXT ? new TextWebSocketFrame(unit.retain()) : new BinaryWebSocketFrame(unit.retain()));
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            boolean accepted = frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame
                    || (frames == Frames.TEXT && frame instanceof TextWebSocketFrame);
            if (accepted) {
                out.add(frame.content().retain());
            } else {
                // MQTT is binary: a text frame is a protocol error (MQTT 5, section 6).
                ctx.close();
            }
        }
    }
}
