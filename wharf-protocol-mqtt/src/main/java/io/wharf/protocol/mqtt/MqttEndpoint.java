package io.wharf.protocol.mqtt;

import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.wharf.core.Broker;
import io.wharf.protocol.common.EventLoops;
import io.wharf.protocol.common.ProtocolEndpoint;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.common.ProtocolListeners;
import io.wharf.protocol.common.WebSockets;
import io.wharf.storage.concurrent.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The MQTT listener, and MQTT over WebSocket: Netty's MQTT codec frames packets, and each
 * connection is an {@link MqttConnection} over the virtual host's {@code amq.topic} exchange.
 */
public final class MqttEndpoint implements ProtocolEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(MqttEndpoint.class);

    private final ProtocolListeners listeners;
    private final ScheduledExecutorService timers;
    private final Runnable stopForgettingSessions;

    private MqttEndpoint(ProtocolListeners listeners, ScheduledExecutorService timers, Runnable stopForgettingSessions) {
        this.listeners = listeners;
        this.timers = timers;
        this.stopForgettingSessions = stopForgettingSessions;
    }

    /**
     * Binds the listeners.
     *
     * @throws IOException naming the address when it cannot be bound, or the virtual host when it does not exist
     */
    public static MqttEndpoint start(Broker broker, MqttSettings settings, EventLoops loops) throws IOException {
        VirtualHost vhost = broker.vhost(settings.vhost()).orElseThrow(() -> new IOException(
                "the MQTT endpoint's virtual host '" + settings.vhost() + "' does not exist"));
        MqttSessionMigration.runAtStart(vhost);
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("mqtt-timer", true));
        MqttSessions sessions = new MqttSessions(timers);
        ProtocolListeners listeners;
        try {
            listeners = ProtocolListeners.bind(loops, "MQTT", settings.host(), settings.port(), settings.websocketPort(),
                    MqttSettings.WEBSOCKET_PATH, "mqtt,mqttv3.1", settings.maxPacketSize(), WebSockets.Frames.BINARY, ch -> {
                        ch.pipeline().addLast("decoder", new MqttDecoder(settings.maxPacketSize()));
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        ch.pipeline().addLast("mqtt", new MqttConnection(broker, vhost, settings, sessions));
                    });
        } catch (IOException e) {
            timers.shutdownNow();
            throw e;
        }
        Runnable stopForgetting = vhost.whenUnusedQueueDeleted(queue -> MqttSessionMigration.forgetIfExpired(vhost, queue));
        LOG.info("MQTT listening on {}", listeners.describe());
        return new MqttEndpoint(listeners, timers, stopForgetting);
    }

    public int port() {
        return listeners.port();
    }

    @Override
    public String protocol() {
        return "MQTT";
    }

    @Override
    public Map<String, Integer> listeners() {
        return listeners.listeners("mqtt");
    }

    @Override
    public void close() {
        stopForgettingSessions.run();
        listeners.close();
        timers.shutdownNow();
    }

    @Override
    public String toString() {
        return listeners.toString();
    }
}
