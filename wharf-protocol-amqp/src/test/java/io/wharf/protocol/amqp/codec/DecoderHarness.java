package io.wharf.protocol.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FrameDecoder} in an embedded channel whose buffers are tracked. Frames it hands out stay owned
 * by the harness, which releases them on close and then checks nothing leaked.
 */
final class DecoderHarness implements AutoCloseable {

    final TrackingAllocator alloc = new TrackingAllocator();
    final FrameDecoder decoder = new FrameDecoder();
    final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Object> taken = new ArrayList<>();

    DecoderHarness() {
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(decoder);
    }

    /** A harness that has already accepted the AMQP 0-9-1 protocol header. */
    static DecoderHarness afterProtocolHeader() {
        DecoderHarness h = new DecoderHarness();
        h.write(AmqpConstants.protocolHeader());
        assertThat(h.frames()).containsExactly(ProtocolHeaderFrame.ours());
        return h;
    }

    /** Writes bytes in; any decoding error propagates, as a DecoderException wrapping an AmqpException. */
    void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    void write(byte[] bytes, int from, int length) {
        ByteBuf buf = alloc.buffer(Math.max(1, length));
        buf.writeBytes(bytes, from, length);
        channel.writeInbound(buf);
    }

    /** The frames decoded so far and not yet taken. */
    List<Frame> frames() {
        List<Frame> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            taken.add(o);
            out.add((Frame) o);
        }
        return out;
    }

    @Override
    public void close() {
        frames();
        taken.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
        assertThat(alloc.unreleased()).as("buffers not released").isEmpty();
    }
}
