package io.wharf.protocol.stomp;

import io.netty.handler.codec.stomp.StompSubframeAggregator;
import io.netty.handler.codec.stomp.StompSubframeDecoder;
import io.netty.handler.codec.stomp.StompSubframeEncoder;
import io.wharf.core.Broker;
import io.wharf.protocol.common.EventLoops;
import io.wharf.protocol.common.ProtocolEndpoint;
import io.wharf.protocol.common.ProtocolListeners;
import io.wharf.protocol.common.WebSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * The STOMP listener, and STOMP over WebSocket: Netty's STOMP codec frames the stream, and each
 * connection is a {@link StompConnection} over the broker's virtual hosts.
 */
public final class StompEndpoint implements ProtocolEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(StompEndpoint.class);
    /** Longest command or header line accepted. */
    private static final int MAX_LINE = 64 * 1024;

    private final ProtocolListeners listeners;

    private StompEndpoint(ProtocolListeners listeners) {
        this.listeners = listeners;
    }

    /**
     * Binds the listeners.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static StompEndpoint start(Broker broker, StompSettings settings, EventLoops loops) throws IOException {
        ProtocolListeners listeners = ProtocolListeners.bind(loops, "STOMP", settings.host(), settings.port(), settings.websocketPort(),
                StompSettings.WEBSOCKET_PATH, "v12.stomp,v11.stomp,v10.stomp,stomp", settings.maxFrameBytes(),
                WebSockets.Frames.TEXT, ch -> {
                    ch.pipeline().addLast("decoder", new StompSubframeDecoder(MAX_LINE, settings.maxFrameBytes()));
                    ch.pipeline().addLast("aggregator", new StompSubframeAggregator(settings.maxFrameBytes()));
                    // Writes each frame as one buffer, escaping header values as STOMP 1.1 and 1.2 require.
                    ch.pipeline().addLast("encoder", new StompSubframeEncoder());
                    ch.pipeline().addLast("stomp", new StompConnection(broker, settings));
                });
        LOG.info("STOMP listening on {}", listeners.describe());
        return new StompEndpoint(listeners);
    }

    public int port() {
        return listeners.port();
    }

    @Override
    public String protocol() {
        return "STOMP";
    }

    @Override
    public Map<String, Integer> listeners() {
        return listeners.listeners("stomp");
    }

    @Override
    public void close() {
        listeners.close();
    }

    @Override
    public String toString() {
        return listeners.toString();
    }
}
