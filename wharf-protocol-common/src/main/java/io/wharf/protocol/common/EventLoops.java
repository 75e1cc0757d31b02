package io.wharf.protocol.common;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.wharf.storage.concurrent.NamedThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The broker's network threads, shared by every listener: one thread accepting connections and
 * one I/O thread per core serving them, whatever their protocol. Epoll where available, NIO
 * otherwise. Listeners bound on it leave it running when they close; its owner (the server)
 * closes it after them.
 *
 * <p>Thread-safe.
 */
public final class EventLoops implements AutoCloseable {

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final boolean epoll;

    private EventLoops(EventLoopGroup acceptors, EventLoopGroup workers, boolean epoll) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.epoll = epoll;
    }

    /** Starts the threads: {@code net-accept} and {@code net-io-N}, one per core (two at least). */
    public static EventLoops start() {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, new NamedThreadFactory("net-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new NamedThreadFactory("net-io", true), io);
        return new EventLoops(acceptors, workers, epoll);
    }

    EventLoopGroup acceptors() {
        return acceptors;
    }

    EventLoopGroup workers() {
        return workers;
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** "epoll" or "nio". */
    String transport() {
        return epoll ? "epoll" : "nio";
    }

    /** Stops the threads; the listeners on them must be closed first. */
    @Override
    public void close() {
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
