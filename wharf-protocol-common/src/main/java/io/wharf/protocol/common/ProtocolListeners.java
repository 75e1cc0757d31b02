package io.wharf.protocol.common;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A protocol's TCP listener and, when asked for, the same protocol over WebSocket on a second
 * port (MQTT and STOMP both offer it to browsers).
 */
public final class ProtocolListeners implements AutoCloseable {

    private final String protocol;
    private final Listener tcp;
    private final Listener websocket;
    private final String path;

    private ProtocolListeners(String protocol, Listener tcp, Listener websocket, String path) {
        this.protocol = protocol;
        this.tcp = tcp;
        this.websocket = websocket;
        this.path = path;
    }

    /**
     * Binds the TCP listener, and the WebSocket one unless {@code websocketPort} is -1.
     *
     * @param pipeline     adds the protocol's handlers to a connection (after the WebSocket ones there)
     * @param subprotocols comma-separated WebSocket subprotocols clients may ask for
     * @throws IOException naming the protocol and address when a port cannot be bound
     */
    public static ProtocolListeners bind(EventLoops loops, String protocol, String host, int port, int websocketPort, String path,
                                         String subprotocols, int maxFrameBytes, WebSockets.Frames frames,
                                         Consumer<SocketChannel> pipeline) throws IOException {
        Listener tcp = Listener.bind(loops, protocol, host, port, WriteBufferWaterMark.DEFAULT, pipeline);
        Listener websocket = null;
        if (websocketPort >= 0) {
            try {
                websocket = Listener.bind(loops, protocol + "-WS", host, websocketPort, WriteBufferWaterMark.DEFAULT, ch -> {
                    WebSockets.addTo(ch, path, subprotocols, maxFrameBytes, frames);
                    pipeline.accept(ch);
                });
            } catch (IOException e) {
                tcp.close();
                throw e;
            }
        }
        return new ProtocolListeners(protocol, tcp, websocket, path);
    }

    public int port() {
        return tcp.port();
    }

    /** The ports by listener name: {@code name}, and {@code http/web-<name>} when WebSocket is on, as RabbitMQ names them. */
    public Map<String, Integer> listeners(String name) {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(name, tcp.port());
        if (websocket != null) {
            out.put("http/web-" + name, websocket.port());
        }
        return out;
    }

    /** Where it listens, for the log. */
    public String describe() {
        return tcp.address() + " (" + tcp.transport() + ")"
                + (websocket == null ? "" : ", over WebSocket on " + websocket.address() + path);
    }

    @Override
    public void close() {
        if (websocket != null) {
            websocket.close();
        }
        tcp.close();
    }

    @Override
    public String toString() {
        return protocol + " listener on " + tcp.address();
    }
}
