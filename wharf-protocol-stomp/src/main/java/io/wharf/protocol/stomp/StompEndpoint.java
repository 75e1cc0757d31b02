package io.wharf.protocol.stomp;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.stomp.StompSubframeAggregator;
import io.netty.handler.codec.stomp.StompSubframeDecoder;
import io.netty.handler.codec.stomp.StompSubframeEncoder;
import io.wharf.core.Broker;
import io.wharf.protocol.common.Listener;
import io.wharf.protocol.common.WebSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The STOMP listener, and STOMP over WebSocket: Netty's STOMP codec frames the stream, and each
 * connection is a {@link StompConnection} over the broker's virtual hosts.
 */
public final class StompEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StompEndpoint.class);
    /** Longest command or header line accepted. */
    private static final int MAX_LINE = 64 * 1024;

    private final Listener listener;
    private final Listener websocket;

    private StompEndpoint(Listener listener, Listener websocket) {
        this.listener = listener;
        this.websocket = websocket;
    }

    /**
     * Binds the listeners.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static StompEndpoint start(Broker broker, StompSettings settings) throws IOException {
        Consumer<SocketChannel> stomp = ch -> {
            ch.pipeline().addLast("decoder", new StompSubframeDecoder(MAX_LINE, settings.maxFrameBytes()));
            ch.pipeline().addLast("aggregator", new StompSubframeAggregator(settings.maxFrameBytes()));
            // Writes each frame as one buffer, escaping header values as STOMP 1.1 and 1.2 require.
            ch.pipeline().addLast("encoder", new StompSubframeEncoder());
            ch.pipeline().addLast("stomp", new StompConnection(broker, settings));
        };
        Listener listener = Listener.bind("STOMP", settings.host(), settings.port(), WriteBufferWaterMark.DEFAULT, stomp);
        Listener websocket = null;
        if (settings.websocketPort() >= 0) {
            try {
                websocket = Listener.bind("STOMP-WS", settings.host(), settings.websocketPort(), WriteBufferWaterMark.DEFAULT, ch -> {
                    WebSockets.addTo(ch, StompSettings.WEBSOCKET_PATH, "v12.stomp,v11.stomp,v10.stomp,stomp",
                            settings.maxFrameBytes(), WebSockets.Frames.TEXT);
                    stomp.accept(ch);
                });
            } catch (IOException e) {
                listener.close();
                throw e;
            }
        }
        LOG.info("STOMP listening on {} ({}){}", listener.address(), listener.transport(),
                websocket == null ? "" : ", over WebSocket on " + websocket.address() + StompSettings.WEBSOCKET_PATH);
        return new StompEndpoint(listener, websocket);
    }

    public int port() {
        return listener.port();
    }

    /**
     * The port of STOMP over WebSocket.
     *
     * @throws IllegalStateException if it is off
     */
    public int websocketPort() {
        if (websocket == null) {
            throw new IllegalStateException("STOMP over WebSocket is off (stomp.websocket-enabled=false)");
        }
        return websocket.port();
    }

    @Override
    public void close() {
        if (websocket != null) {
            websocket.close();
        }
        listener.close();
    }

    @Override
    public String toString() {
        return "STOMP listener on " + listener.address();
    }
}
