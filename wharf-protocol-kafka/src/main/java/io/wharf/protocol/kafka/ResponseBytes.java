package io.wharf.protocol.kafka;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a response into what goes on the wire, size prefix included, through kafka-clients' own
 * send builder. Nothing is copied into one big buffer: the builder's buffers (in-memory record
 * sets among them) become parts of composite Netty buffers, and records that are still in a
 * segment file ({@link FileRegionRecords}) become file regions between them.
 */
final class ResponseBytes implements TransferableChannel {

    private final List<Object> parts = new ArrayList<>();
    private CompositeByteBuf current;

    private ResponseBytes() {
    }

    /** The response's pieces, in order: Netty buffers and file regions to write one after another. */
    static List<Object> of(RequestHeader request, ApiMessage response) {
        ResponseHeader header = request.toResponseHeader();
        Send send = SendBuilder.buildResponseSend(header, response, request.apiVersion());
        ResponseBytes collector = new ResponseBytes();
        try {
            while (!send.completed()) {
                send.writeTo(collector);
            }
        } catch (IOException e) {
            collector.release();
            throw new UncheckedIOException(e);
        }
        return collector.parts;
    }

    private void release() {
        for (Object p : parts) {
            io.netty.util.ReferenceCountUtil.release(p);
        }
        parts.clear();
    }

    void addFile(Path file, long position, long count) {
        current = null;
        parts.add(new DefaultFileRegion(file.toFile(), position, count));
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        if (n > 0) {
            if (current == null) {
                current = Unpooled.compositeBuffer(Integer.MAX_VALUE);
                parts.add(current);
            }
            current.addComponent(true, Unpooled.wrappedBuffer(src.slice()));
            src.position(src.limit());
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) {
        throw new UnsupportedOperationException("file records are added by path, see FileRegionRecords");
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
