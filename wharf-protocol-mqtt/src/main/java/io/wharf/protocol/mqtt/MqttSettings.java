package io.wharf.protocol.mqtt;

/**
 * How the MQTT endpoint listens and whom it lets in.
 *
 * @param host           interface to bind
 * @param port           port to bind; 0 picks a free one
 * @param vhost          the virtual host MQTT topics live in (on its {@code amq.topic} exchange)
 * @param maxPacketSize  largest packet accepted; a larger one closes the connection
 * @param anonymousUser  the user a client that sends no user name acts as; empty refuses such clients
 * @param maxInflight    QoS 1 and 2 deliveries a client may have unacknowledged, at most (its
 *                       receive maximum lowers it)
 * @param maxBacklog     ready messages a connected subscriber's queue may hold before the
 *                       connections publishing to it wait for it to catch up; 0 never makes them wait
 * @param websocketPort  port of MQTT over WebSocket (path {@value #WEBSOCKET_PATH}); 0 picks a free
 *                       one, -1 turns it off
 */
public record MqttSettings(String host, int port, String vhost, int maxPacketSize, String anonymousUser, int maxInflight,
                           int maxBacklog, int websocketPort) {

    /** Where MQTT over WebSocket is served. */
    public static final String WEBSOCKET_PATH = "/mqtt";

    public static MqttSettings defaults() {
        return new MqttSettings("0.0.0.0", 1883, "/", 256 << 20, "guest", 100, 100, 8083);
    }
}
