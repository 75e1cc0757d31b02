package io.wharf.protocol.amqp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.Broker;
import io.wharf.protocol.amqp.codec.FrameDecoder;
import io.wharf.storage.concurrent.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The AMQP 0-9-1 listener: accepts connections on Netty (epoll where available, NIO otherwise)
 * and gives each a frame decoder and an {@link AmqpConnection}. Closing it tells every client the
 * broker is shutting down (connection.close 320) before the sockets go.
 */
public final class AmqpEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpEndpoint.class);

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final Channel server;
    private final ChannelGroup connections;

    private AmqpEndpoint(EventLoopGroup acceptors, EventLoopGroup workers, Channel server, ChannelGroup connections) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.server = server;
        this.connections = connections;
    }

    /**
     * Binds the listener.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static AmqpEndpoint start(Broker broker, AmqpSettings settings) throws IOException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, new NamedThreadFactory("amqp-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new NamedThreadFactory("amqp-io", true), io);
        ChannelGroup connections = new DefaultChannelGroup("amqp", GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        FrameDecoder decoder = new FrameDecoder();
                        ch.pipeline().addLast("frames", decoder);
                        ch.pipeline().addLast("amqp", new AmqpConnection(broker, settings, decoder));
                    }
                });
        Channel server;
        try {
            server = b.bind(new InetSocketAddress(settings.host(), settings.port())).syncUninterruptibly().channel();
        } catch (Exception e) {
            acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot listen for AMQP on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        LOG.info("AMQP 0-9-1 listening on {} ({})", server.localAddress(), epoll ? "epoll" : "nio");
        return new AmqpEndpoint(acceptors, workers, server, connections);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Open client connections. */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        for (Channel c : connections) {
            AmqpConnection conn = c.pipeline().get(AmqpConnection.class);
            if (conn != null) {
                conn.forceClose("shutdown");
            }
        }
        connections.newCloseFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
