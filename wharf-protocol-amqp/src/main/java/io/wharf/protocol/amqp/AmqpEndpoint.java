package io.wharf.protocol.amqp;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.wharf.core.Broker;
import io.wharf.protocol.common.EventLoops;
import io.wharf.protocol.common.ProtocolEndpoint;
import io.wharf.protocol.amqp.codec.FrameDecoder;
import io.wharf.protocol.common.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * The AMQP 0-9-1 listener: accepts connections on Netty (epoll where available, NIO otherwise)
 * and gives each a frame decoder and an {@link AmqpConnection}. Closing it tells every client the
 * broker is shutting down (connection.close 320) before the sockets go.
 */
public final class AmqpEndpoint implements ProtocolEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpEndpoint.class);

    private final Listener listener;

    private AmqpEndpoint(Listener listener) {
        this.listener = listener;
    }

    /**
     * Binds the listener.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static AmqpEndpoint start(Broker broker, AmqpSettings settings, EventLoops loops) throws IOException {
        Listener listener = Listener.bind(loops, "AMQP", settings.host(), settings.port(),
                new WriteBufferWaterMark(256 * 1024, 1024 * 1024), ch -> {
                    FrameDecoder decoder = new FrameDecoder();
                    // Bytes read while a frame is incomplete join the ones before as a component,
                    // not by a copy into one buffer: a body read in one piece stays where it was read.
                    decoder.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
                    ch.pipeline().addLast("frames", decoder);
                    ch.pipeline().addLast("amqp", new AmqpConnection(broker, settings, decoder));
                });
        LOG.info("AMQP 0-9-1 listening on {} ({})", listener.address(), listener.transport());
        return new AmqpEndpoint(listener);
    }

    public int port() {
        return listener.port();
    }

    @Override
    public String protocol() {
        return "AMQP";
    }

    @Override
    public Map<String, Integer> listeners() {
        return Map.of("amqp", port());
    }

    /** Open client connections. */
    public int connectionCount() {
        return listener.connections().size();
    }

    @Override
    public void close() {
        listener.stopAccepting();
        for (Channel c : listener.connections()) {
            AmqpConnection conn = c.pipeline().get(AmqpConnection.class);
            if (conn != null) {
                conn.forceClose("shutdown");
            }
        }
        listener.close(2000);
    }
}
