package io.wharf.protocol.mqtt;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.wharf.core.Broker;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.common.Listener;
import io.wharf.protocol.common.WebSockets;
import io.wharf.storage.concurrent.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The MQTT listener: Netty's MQTT codec frames packets, and each connection is an
 * {@link MqttConnection} over the virtual host's {@code amq.topic} exchange.
 */
public final class MqttEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttEndpoint.class);

    private final Listener listener;
    private final Listener websocket;
    private final ScheduledExecutorService timers;

    private MqttEndpoint(Listener listener, Listener websocket, ScheduledExecutorService timers) {
        this.listener = listener;
        this.websocket = websocket;
        this.timers = timers;
    }

    /**
     * Binds the listener.
     *
     * @throws IOException naming the address when it cannot be bound, or the virtual host when it does not exist
     */
    public static MqttEndpoint start(Broker broker, MqttSettings settings) throws IOException {
        VirtualHost vhost = broker.vhost(settings.vhost()).orElseThrow(() -> new IOException(
                "the MQTT endpoint's virtual host '" + settings.vhost() + "' does not exist"));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("mqtt-timer", true));
        MqttSessions sessions = new MqttSessions();
        Consumer<SocketChannel> mqtt = ch -> {
            ch.pipeline().addLast("decoder", new MqttDecoder(settings.maxPacketSize()));
            ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
            ch.pipeline().addLast("mqtt", new MqttConnection(broker.users(), vhost, settings, sessions, timers));
        };
        Listener listener = null;
        Listener websocket = null;
        try {
            listener = Listener.bind("MQTT", settings.host(), settings.port(), WriteBufferWaterMark.DEFAULT, mqtt);
            if (settings.websocketPort() >= 0) {
                websocket = Listener.bind("MQTT-WS", settings.host(), settings.websocketPort(), WriteBufferWaterMark.DEFAULT, ch -> {
                    WebSockets.addTo(ch, MqttSettings.WEBSOCKET_PATH, "mqtt,mqttv3.1", settings.maxPacketSize(),
                            WebSockets.Frames.BINARY);
                    mqtt.accept(ch);
                });
            }
        } catch (IOException e) {
            if (listener != null) {
                listener.close();
            }
            timers.shutdownNow();
            throw e;
        }
        LOG.info("MQTT listening on {} ({}){}", listener.address(), listener.transport(),
                websocket == null ? "" : ", over WebSocket on " + websocket.address() + MqttSettings.WEBSOCKET_PATH);
        return new MqttEndpoint(listener, websocket, timers);
    }

    public int port() {
        return listener.port();
    }

    /**
     * The port of MQTT over WebSocket.
     *
     * @throws IllegalStateException if it is off
     */
    public int websocketPort() {
        if (websocket == null) {
            throw new IllegalStateException("MQTT over WebSocket is off (mqtt.websocket-port=-1)");
        }
        return websocket.port();
    }

    @Override
    public void close() {
        if (websocket != null) {
            websocket.close();
        }
        listener.close();
        timers.shutdownNow();
    }

    @Override
    public String toString() {
        return "MQTT listener on " + listener.address();
    }
}
