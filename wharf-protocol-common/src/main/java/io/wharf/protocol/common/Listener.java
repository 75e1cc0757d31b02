package io.wharf.protocol.common;

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
import io.wharf.storage.concurrent.NamedThreadFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A protocol's TCP listener on Netty: epoll where available, NIO otherwise, one acceptor thread
 * and an I/O thread per core, named after the protocol. It keeps every open connection, so the
 * endpoint can say goodbye to each in its own protocol before the sockets go, and gives each a
 * {@link WireTraffic} counter at the head of its pipeline.
 */
public final class Listener implements AutoCloseable {

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final Channel server;
    private final ChannelGroup connections;
    private final boolean epoll;

    private Listener(EventLoopGroup acceptors, EventLoopGroup workers, Channel server, ChannelGroup connections, boolean epoll) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.server = server;
        this.connections = connections;
        this.epoll = epoll;
    }

    /**
     * Binds {@code host:port} and hands each accepted connection's pipeline to {@code pipeline}.
     *
     * @param protocol names the threads ({@code <protocol>-accept}, {@code <protocol>-io}) and errors
     * @throws IOException naming the protocol and address when the port cannot be bound
     */
    public static Listener bind(String protocol, String host, int port, WriteBufferWaterMark waterMark,
                                Consumer<SocketChannel> pipeline) throws IOException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        String name = protocol.toLowerCase(java.util.Locale.ROOT);
        EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, new NamedThreadFactory(name + "-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new NamedThreadFactory(name + "-io", true), io);
        ChannelGroup connections = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        // First in line, so that it sees the bytes as they are on the wire.
                        ch.pipeline().addLast(WireTraffic.NAME, new WireTraffic());
                        pipeline.accept(ch);
                    }
                });
        try {
            Channel server = b.bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
            return new Listener(acceptors, workers, server, connections, epoll);
        } catch (Exception e) {
            acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot listen for " + protocol + " on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    /** The open client connections. */
    public ChannelGroup connections() {
        return connections;
    }

    /** Stops accepting connections; open ones carry on. */
    public void stopAccepting() {
        server.close().syncUninterruptibly();
    }

    /**
     * Stops accepting, gives open connections up to {@code graceMillis} to close by themselves (after
     * the endpoint told them goodbye), then closes the rest and stops the threads.
     */
    public void close(long graceMillis) {
        stopAccepting();
        if (graceMillis > 0 && !connections.isEmpty()) {
            connections.newCloseFuture().awaitUninterruptibly(graceMillis);
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public void close() {
        close(0);
    }
}
