package io.wharf.protocol.amqp;

import io.netty.buffer.ByteBuf;
import io.wharf.core.message.BorrowedBody;

import java.nio.ByteBuffer;

/**
 * A message body left in the content frame it arrived in: a retained slice of the bytes the
 * connection read, never written to. Thread-safe, as Netty's reference counts are.
 */
final class ByteBufBody implements BorrowedBody {

    private final ByteBuf buf;
    // Taken once, on the event loop: Netty makes a new NIO view on each call, and the body is read two or three times.
    private final ByteBuffer view;

    /** Takes over the caller's reference to {@code buf}, which has one NIO buffer. */
    ByteBufBody(ByteBuf buf) {
        this.buf = buf;
        this.view = buf.nioBuffer().asReadOnlyBuffer();
    }

    /** The body as the buffer it is in, for writing it to another connection without a copy of its own. */
    ByteBuf buf() {
        return buf;
    }

    @Override
    public ByteBuffer view() {
        return view.duplicate();
    }

    @Override
    public int size() {
        return buf.readableBytes();
    }

    @Override
    public void retain() {
        buf.retain();
    }

    @Override
    public void release() {
        buf.release();
    }
}
