package io.wharf.protocol.common;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

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
        ch.pipeline().addLast("websocket-frames", new FrameCodec(frames));
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
