package io.wharf.protocol.common;

import io.netty.channel.Channel;
import io.wharf.core.Registration;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.connection.ClientConnections;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Makes a new client connection known to the broker's registry of connections: one
 * {@link ClientConnection} per socket, its wire bytes counted by the pipeline's
 * {@link WireTraffic}, and its registration undone when the socket closes, whatever ends it.
 */
public final class ConnectionTracker {

    private ConnectionTracker() {
    }

    /**
     * Registers the connection of {@code channel}, which has just become active; called by the
     * protocol handler on the channel's event loop.
     *
     * @param protocol {@code AMQP}, {@code Kafka}, {@code MQTT} or {@code STOMP}
     * @param closer   closes the connection in the protocol's own way, telling the client the
     *                 operator's reason; it always runs on the channel's event loop, whichever
     *                 thread asked for the close
     * @return the connection, for the handler to fill in as it learns who the client is
     */
    public static ClientConnection track(Channel channel, ClientConnections registry, String protocol, Consumer<String> closer) {
        ClientConnection connection = new ClientConnection(protocol, (InetSocketAddress) channel.remoteAddress(),
                (InetSocketAddress) channel.localAddress(), System.currentTimeMillis(),
                reason -> channel.eventLoop().execute(() -> {
                    if (channel.isActive()) {
                        closer.accept(reason);
                    }
                }));
        WireTraffic traffic = channel.pipeline().get(WireTraffic.class);
        if (traffic != null) {
            traffic.countFor(connection);
        }
        Registration registration = registry.register(connection);
        channel.closeFuture().addListener(f -> registration.close());
        return connection;
    }
}
