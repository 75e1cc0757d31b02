package io.wharf.protocol.stomp;

/**
 * How the STOMP endpoint listens and whom it lets in.
 *
 * @param host           interface to bind
 * @param port           port to bind; 0 picks a free one
 * @param defaultVhost   the virtual host of a CONNECT without a {@code host} header
 * @param maxFrameBytes  largest frame body accepted; a larger one gets an ERROR and the connection closes
 * @param heartbeatMs    the heart-beat Wharf offers and asks for, in milliseconds; 0 for none
 * @param anonymousUser  the user a CONNECT without a login acts as; empty refuses such clients
 * @param websocketPort  port of STOMP over WebSocket (path {@value #WEBSOCKET_PATH}); 0 picks a
 *                       free one, -1 turns it off
 */
public record StompSettings(String host, int port, String defaultVhost, int maxFrameBytes, int heartbeatMs,
                            String anonymousUser, int websocketPort) {

    /** Where STOMP over WebSocket is served. */
    public static final String WEBSOCKET_PATH = "/ws";

    public static StompSettings defaults() {
        return new StompSettings("0.0.0.0", 61613, "/", 128 << 20, 10_000, "guest", 15674);
    }
}
