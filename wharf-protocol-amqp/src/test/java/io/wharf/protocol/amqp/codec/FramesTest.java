package io.wharf.protocol.amqp.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wharf.core.message.MessageProperties;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramesTest {

    private static final BasicMethod.Deliver DELIVER = new BasicMethod.Deliver("ctag", 1, false, "x", "k");

    private static byte[] body(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** Decodes bytes, turning body frames into their byte arrays. */
    private static List<Object> decode(byte[] bytes) {
        List<Object> out = new ArrayList<>();
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            h.decoder.setMaxFrameSize(0);
            h.write(bytes);
            for (Frame f : h.frames()) {
                out.add(f instanceof BodyFrame b ? ByteBufUtil.getBytes(b.payload()) : f);
            }
        }
        return out;
    }

    @Test
    void shouldWriteAMethodFrameWithItsSizePatchedIn() {
        byte[] frame = Wire.methodFrame(0x0102, new BasicMethod.Ack(3, true));

        assertThat(frame).containsExactly(1, 1, 2, 0, 0, 0, 13, 0, 60, 0, 80, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0xCE);
    }

    @Test
    void shouldWriteAHeartbeatFrame() {
        assertThat(Wire.bytes(Frames::writeHeartbeat)).containsExactly(8, 0, 0, 0, 0, 0, 0, 0xCE);
    }

    @Test
    void shouldWriteTheProtocolHeader() {
        assertThat(Wire.bytes(Frames::writeProtocolHeader)).containsExactly('A', 'M', 'Q', 'P', 0, 0, 9, 1);
    }

    @Test
    void shouldSplitABodyIntoFramesOfAtMostFrameMaxLessEight() {
        byte[] body = body(10_000);
        MessageProperties props = MessageProperties.builder().messageId("m-1").build();
        ByteBuf source = Unpooled.wrappedBuffer(body);
        try {
            byte[] fromBuf = Wire.bytes(out -> Frames.writeContent(out, 9, DELIVER, props.encode(), source, 4096));
            byte[] fromArray = Wire.bytes(out -> Frames.writeContent(out, 9, DELIVER, props.encode(), body, 4096));

            assertThat(fromBuf).isEqualTo(fromArray);
            List<Object> frames = decode(fromBuf);
            assertThat(frames).hasSize(5);
            assertThat(frames.get(0)).isEqualTo(new MethodFrame(9, DELIVER));
            assertThat(frames.get(1)).isEqualTo(HeaderFrame.of(9, 10_000, props));
            assertThat(frames.subList(2, 5)).extracting(b -> ((byte[]) b).length).containsExactly(4088, 4088, 1824);
            assertThat(Wire.concat((byte[]) frames.get(2), (byte[]) frames.get(3), (byte[]) frames.get(4)))
                    .isEqualTo(body);
            assertThat(source.readerIndex()).isZero();
            assertThat(source.refCnt()).isEqualTo(1);
        } finally {
            source.release();
        }
    }

    @Test
    void shouldWriteOnlyTheReadableBytesOfABodyBuffer() {
        ByteBuf source = Unpooled.buffer().writeBytes("skip:keep".getBytes(US_ASCII));
        source.readerIndex(5);
        try {
            List<Object> frames = decode(Wire.bytes(out -> Frames.writeContent(out, 1, DELIVER,
                    MessageProperties.EMPTY.encode(), source, 4096)));

            assertThat(((HeaderFrame) frames.get(1)).bodySize()).isEqualTo(4);
            assertThat(new String((byte[]) frames.get(2), US_ASCII)).isEqualTo("keep");
        } finally {
            source.release();
        }
    }

    @Test
    void shouldWriteTheBodyAsOneFrameWhenFrameMaxIsUnlimited() {
        byte[] body = body(200_000);

        List<Object> frames = decode(Wire.bytes(out -> Frames.writeContent(out, 1, DELIVER,
                MessageProperties.EMPTY.encode(), body, 0)));

        assertThat(frames).hasSize(3);
        assertThat((byte[]) frames.get(2)).isEqualTo(body);
    }

    @Test
    void shouldWriteNoBodyFrameForAnEmptyBody() {
        List<Object> frames = decode(Wire.bytes(out -> Frames.writeContent(out, 1, DELIVER,
                MessageProperties.EMPTY.encode(), new byte[0], 4096)));

        assertThat(frames).containsExactly(new MethodFrame(1, DELIVER), HeaderFrame.of(1, 0, MessageProperties.EMPTY));
    }

    @Test
    void shouldWriteABodyThatFillsItsLastFrameExactly() {
        List<Object> frames = decode(Wire.bytes(out -> Frames.writeContent(out, 1, DELIVER,
                MessageProperties.EMPTY.encode(), body(2 * 4088), 4096)));

        assertThat(frames.subList(2, frames.size())).extracting(b -> ((byte[]) b).length).containsExactly(4088, 4088);
    }

    @Test
    void shouldRefuseContentForAMethodWithoutContentOrAFrameMaxWithNoRoom() {
        byte[] props = MessageProperties.EMPTY.encode();
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> Frames.writeContent(out, 1, new BasicMethod.Ack(1, false), props, new byte[1], 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("basic.ack carries no content");
            assertThatThrownBy(() -> Frames.writeContent(out, 1, DELIVER, props, new byte[1], 8))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(out.writerIndex()).isZero();
        } finally {
            out.release();
        }
    }

    @Test
    void shouldLeaveTheBufferAsItWasWhenAnArgumentCannotBeWritten() {
        ByteBuf out = Unpooled.buffer();
        try {
            Frames.writeHeartbeat(out);
            BasicMethod.Deliver bad = new BasicMethod.Deliver("t".repeat(256), 1, false, "x", "k");

            assertThatThrownBy(() -> Frames.writeMethod(out, 1, bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Frames.writeContent(out, 1, bad, new byte[2], new byte[10], 4096))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(out.writerIndex()).isEqualTo(8);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldEncodeEveryKindOfFrameInAPipeline() {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameEncoder());
        MessageProperties props = MessageProperties.builder().priority(3).build();
        ByteBuf payload = alloc.buffer().writeBytes("body".getBytes(US_ASCII));
        BodyFrame body = new BodyFrame(2, payload);

        channel.writeOutbound(ProtocolHeaderFrame.ours(), new MethodFrame(2, DELIVER), HeaderFrame.of(2, 4, props),
                body, HeartbeatFrame.INSTANCE);

        assertThat(body.refCnt()).as("the encoder releases body frames it wrote").isZero();
        List<byte[]> written = new ArrayList<>();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            written.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        channel.finishAndReleaseAll();
        assertThat(alloc.unreleased()).isEmpty();
        List<Object> decoded = decode(Wire.concat(written.subList(1, written.size()).toArray(byte[][]::new)));
        assertThat(written.get(0)).isEqualTo(AmqpConstants.protocolHeader());
        assertThat(decoded).hasSize(4);
        assertThat(decoded.get(0)).isEqualTo(new MethodFrame(2, DELIVER));
        assertThat(decoded.get(1)).isEqualTo(HeaderFrame.of(2, 4, props));
        assertThat(new String((byte[]) decoded.get(2), US_ASCII)).isEqualTo("body");
        assertThat(decoded.get(3)).isEqualTo(HeartbeatFrame.INSTANCE);
    }
}
