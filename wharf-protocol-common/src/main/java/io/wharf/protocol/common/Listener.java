package io.wharf.protocol.common;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A protocol's TCP listener on Netty, on the broker's shared {@link EventLoops}. It keeps every open connection, so the
 * endpoint can say goodbye to each in its own protocol before the sockets go, and gives each a
 * {@link WireTraffic} counter at the head of its pipeline.
 */
public final class Listener implements AutoCloseable {

    private final EventLoops loops;
    private final Channel server;
    private final ChannelGroup connections;

    private Listener(EventLoops loops, Channel server, ChannelGroup connections) {
        this.loops = loops;
        this.server = server;
        this.connections = connections;
    }

    /**
     * Binds {@code host:port} and hands each accepted connection's pipeline to {@code pipeline}.
     *
     * @param loops    the threads to run on, which outlive the listener
     * @param protocol names the connections' group and the errors
     * @throws IOException naming the protocol and address when the port cannot be bound
     */
    public static Listener bind(EventLoops loops, String protocol, String host, int port, WriteBufferWaterMark waterMark,
                                Consumer<SocketChannel> pipeline) throws IOException {
        String name = protocol.toLowerCase(java.util.Locale.ROOT);
        ChannelGroup connections = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(loops.serverChannel())
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
            return new Listener(loops, server, connections);
        } catch (Exception e) {
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
        return loops.transport();
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
     * the endpoint told them goodbye), then closes the rest. The threads go on: their owner stops them.
     */
    public void close(long graceMillis) {
        stopAccepting();
        if (graceMillis > 0 && !connections.isEmpty()) {
            connections.newCloseFuture().awaitUninterruptibly(graceMillis);
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        close(0);
    }
}
