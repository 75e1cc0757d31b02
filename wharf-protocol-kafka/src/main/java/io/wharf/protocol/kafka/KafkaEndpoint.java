package io.wharf.protocol.kafka;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.Broker;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.storage.concurrent.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka listener: accepts connections on Netty (epoll where available, NIO otherwise), cuts
 * the byte stream into size-prefixed requests and hands each to a {@link KafkaConnection}.
 */
public final class KafkaEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEndpoint.class);

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ScheduledExecutorService timers;
    private final Channel server;
    private final ChannelGroup connections;

    private KafkaEndpoint(EventLoopGroup acceptors, EventLoopGroup workers, ScheduledExecutorService timers, Channel server,
                          ChannelGroup connections) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.timers = timers;
        this.server = server;
        this.connections = connections;
    }

    /**
     * Binds the listener.
     *
     * @throws IOException naming the address when it cannot be bound, or the virtual host when it does not exist
     */
    public static KafkaEndpoint start(Broker broker, KafkaSettings settings) throws IOException {
        VirtualHost vhost = broker.vhost(settings.vhost()).orElseThrow(() -> new IOException(
                "the Kafka endpoint's virtual host '" + settings.vhost() + "' does not exist"));
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, new NamedThreadFactory("kafka-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new NamedThreadFactory("kafka-io", true), io);
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("kafka-timer", true));
        ChannelGroup connections = new DefaultChannelGroup("kafka", GlobalEventExecutor.INSTANCE);
        KafkaBroker kafka = new KafkaBroker(vhost, settings, timers);
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        // A request is a 4-byte size and that many bytes; a larger size than allowed closes the connection.
                        ch.pipeline().addLast("frames", new LengthFieldBasedFrameDecoder(settings.maxRequestSize(), 0, 4, 0, 4));
                        ch.pipeline().addLast("kafka", new KafkaConnection(kafka));
                    }
                });
        Channel server;
        try {
            server = b.bind(new InetSocketAddress(settings.host(), settings.port())).syncUninterruptibly().channel();
        } catch (Exception e) {
            acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            timers.shutdownNow();
            throw new IOException("cannot listen for Kafka on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        kafka.bound(bound);
        LOG.info("Kafka protocol listening on {} ({}), advertised as {}:{}", bound, epoll ? "epoll" : "nio",
                kafka.advertisedHost(), kafka.advertisedPort());
        return new KafkaEndpoint(acceptors, workers, timers, server, connections);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        timers.shutdownNow();
    }
}
