package io.wharf.protocol.amqp.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DecoderException;
import io.wharf.core.message.MessageProperties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private static final MessageProperties PROPS = MessageProperties.builder().contentType("text/plain")
            .deliveryMode(2).headers(Map.of("k", "v")).build();

    /** A connection's worth of traffic: methods on two channels, content, a heartbeat, an empty body. */
    private static byte[] conversation() {
        return Wire.concat(
                AmqpConstants.protocolHeader(),
                Wire.methodFrame(0, new ConnectionMethod.StartOk(Map.of("product", "test"), "PLAIN",
                        "\0u\0p".getBytes(US_ASCII), "en_US")),
                Wire.methodFrame(1, new ChannelMethod.Open("")),
                Wire.bytes(out -> Frames.writeContent(out, 1, new BasicMethod.Publish(0, "x", "k", false, false),
                        PROPS.encode(), "hello, world".getBytes(US_ASCII), 4096)),
                Wire.bytes(Frames::writeHeartbeat),
                Wire.bytes(out -> Frames.writeContent(out, 2, new BasicMethod.Publish(0, "", "q", true, false),
                        MessageProperties.EMPTY.encode(), new byte[0], 4096)),
                Wire.methodFrame(2, new BasicMethod.Ack(7, true)));
    }

    private static List<Object> expectedConversation() {
        return List.of(
                ProtocolHeaderFrame.ours(),
                new MethodFrame(0, new ConnectionMethod.StartOk(Map.of("product", "test"), "PLAIN",
                        "\0u\0p".getBytes(US_ASCII), "en_US")),
                new MethodFrame(1, new ChannelMethod.Open("")),
                new MethodFrame(1, new BasicMethod.Publish(0, "x", "k", false, false)),
                HeaderFrame.of(1, 12, PROPS),
                "hello, world",
                HeartbeatFrame.INSTANCE,
                new MethodFrame(2, new BasicMethod.Publish(0, "", "q", true, false)),
                HeaderFrame.of(2, 0, MessageProperties.EMPTY),
                new MethodFrame(2, new BasicMethod.Ack(7, true)));
    }

    /** Frames with bodies replaced by their text, so they compare by value and need no release. */
    private static List<Object> comparable(List<Frame> frames) {
        List<Object> out = new ArrayList<>();
        for (Frame f : frames) {
            out.add(f instanceof BodyFrame b ? b.payload().toString(US_ASCII) : f);
        }
        return out;
    }

    @Test
    void shouldDecodeAConversation() {
        try (DecoderHarness h = new DecoderHarness()) {
            h.write(conversation());

            assertThat(comparable(h.frames())).isEqualTo(expectedConversation());
        }
    }

    @Test
    void shouldDecodeTheSameFramesWhateverByteBoundaryTheInputIsSplitAt() {
        byte[] bytes = conversation();
        for (int split = 0; split <= bytes.length; split++) {
            try (DecoderHarness h = new DecoderHarness()) {
                h.write(bytes, 0, split);
                List<Frame> frames = new ArrayList<>(h.frames());
                h.write(bytes, split, bytes.length - split);
                frames.addAll(h.frames());

                assertThat(comparable(frames)).as("split at %d", split).isEqualTo(expectedConversation());
            }
        }
    }

    @Test
    void shouldDecodeInputArrivingOneByteAtATime() {
        byte[] bytes = conversation();
        try (DecoderHarness h = new DecoderHarness()) {
            List<Frame> frames = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                h.write(bytes, i, 1);
                frames.addAll(h.frames());
            }

            assertThat(comparable(frames)).isEqualTo(expectedConversation());
        }
    }

    @Test
    void shouldHandBodiesOnAsSlicesOfTheInputThatTheTakerReleases() {
        byte[] body = new byte[5000];
        Arrays.fill(body, (byte) 7);
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            h.write(Wire.frame(AmqpConstants.BODY, 3, body));

            List<Frame> frames = h.frames();
            assertThat(frames).hasSize(1);
            BodyFrame frame = (BodyFrame) frames.get(0);
            assertThat(frame.channel()).isEqualTo(3);
            assertThat(ByteBufUtil.getBytes(frame.payload())).isEqualTo(body);
            assertThat(frame.refCnt()).isPositive();
            // The harness releases the frame on close and fails if anything stays allocated.
        }
    }

    private static void assertDecodeFails(byte[] frames, ReplyCode code, String text, Consumer<AmqpException> more) {
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            ThrowingCallable write = () -> h.write(frames);
            assertThatThrownBy(write).isInstanceOf(DecoderException.class).cause()
                    .isInstanceOfSatisfying(AmqpException.class, e -> {
                        assertThat(e.replyCode()).isEqualTo(code);
                        assertThat(e.connectionLevel()).isTrue();
                        assertThat(e.text()).contains(text);
                        more.accept(e);
                    });
            // Whatever follows the bad frame is discarded, valid or not.
            h.write(Wire.concat(Wire.methodFrame(1, new ChannelMethod.Open("")), Wire.bytes(Frames::writeHeartbeat)));
            assertThat(h.frames()).isEmpty();
        }
    }

    @Test
    void shouldRejectAFrameLargerThanTheDefaultLimitFromItsHeaderAlone() {
        byte[] headerOnly = {AmqpConstants.BODY, 0, 1, 0, 2, 0, 0}; // announces 131072 bytes of payload

        assertDecodeFails(headerOnly, ReplyCode.FRAME_ERROR, "frame size 131080 exceeds frame-max 131072",
                e -> assertThat(e.channel()).isEqualTo(1));
    }

    @Test
    void shouldAcceptAFrameOfExactlyTheNegotiatedSizeAndRejectOneByteMore() {
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            h.decoder.setMaxFrameSize(4096);
            h.write(Wire.frame(AmqpConstants.BODY, 1, new byte[4088]));
            assertThat(h.frames()).hasSize(1);

            assertThatThrownBy(() -> h.write(Wire.frame(AmqpConstants.BODY, 1, new byte[4089])))
                    .cause().isInstanceOf(AmqpException.class)
                    .hasMessage("FRAME_ERROR - frame size 4097 exceeds frame-max 4096");
        }
    }

    @Test
    void shouldRefuseAFrameMaxBelowTheSpecMinimum() {
        FrameDecoder decoder = new FrameDecoder();

        assertThatThrownBy(() -> decoder.setMaxFrameSize(4095)).isInstanceOf(IllegalArgumentException.class);
        decoder.setMaxFrameSize(0);
        assertThat(decoder.maxFrameSize()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shouldRejectAFrameWithoutItsFrameEnd() {
        byte[] frame = Wire.methodFrame(1, new ChannelMethod.Open(""));
        frame[frame.length - 1] = 0;

        assertDecodeFails(frame, ReplyCode.FRAME_ERROR, "frame end octet 0x00 instead of 0xce", e -> { });
    }

    @Test
    void shouldRejectAnUnknownFrameType() {
        assertDecodeFails(Wire.frame(4, 0, new byte[0]), ReplyCode.FRAME_ERROR, "unknown frame type 4", e -> { });
    }

    @Test
    void shouldRejectAHeartbeatOffChannelZeroOrWithPayload() {
        assertDecodeFails(Wire.frame(AmqpConstants.HEARTBEAT, 2, new byte[0]), ReplyCode.FRAME_ERROR,
                "heartbeat frame on channel 2", e -> { });
        assertDecodeFails(Wire.frame(AmqpConstants.HEARTBEAT, 0, new byte[1]), ReplyCode.FRAME_ERROR,
                "heartbeat frame with 1 bytes of payload", e -> { });
    }

    @Test
    void shouldRejectAnUnknownMethodAsNotImplementedOnItsChannel() {
        assertDecodeFails(Wire.rawMethodFrame(5, 60, 99, new byte[0]), ReplyCode.NOT_IMPLEMENTED,
                "unknown method class 60 method 99", e -> {
                    assertThat(e.channel()).isEqualTo(5);
                    assertThat(e.classId()).isEqualTo(60);
                    assertThat(e.methodId()).isEqualTo(99);
                });
    }

    @Test
    void shouldRejectTruncatedArgumentsAsASyntaxError() {
        byte[] args = Wire.args(new BasicMethod.Publish(0, "exchange", "key", true, true));

        assertDecodeFails(Wire.rawMethodFrame(3, 60, 40, Arrays.copyOf(args, args.length - 1)),
                ReplyCode.SYNTAX_ERROR, "malformed basic.publish", e -> {
                    assertThat(e.channel()).isEqualTo(3);
                    assertThat(e.classId()).isEqualTo(60);
                    assertThat(e.methodId()).isEqualTo(40);
                });
    }

    @Test
    void shouldRejectAMethodFrameTooShortForItsIds() {
        assertDecodeFails(Wire.frame(AmqpConstants.METHOD, 1, new byte[] {0, 60, 0}), ReplyCode.FRAME_ERROR,
                "method frame of 3 bytes has no method id", e -> { });
    }

    @Test
    void shouldRejectAContentHeaderForAClassOtherThanBasic() {
        byte[] payload = Wire.bytes(out -> out.writeShort(50).writeShort(0).writeLong(0).writeShort(0));

        assertDecodeFails(Wire.frame(AmqpConstants.HEADER, 1, payload), ReplyCode.UNEXPECTED_FRAME,
                "content header for class 50", e -> assertThat(e.channel()).isEqualTo(1));
    }

    @Test
    void shouldRejectAContentHeaderWithANegativeBodySize() {
        byte[] payload = Wire.bytes(out -> out.writeShort(60).writeShort(0).writeLong(-1).writeShort(0));

        assertDecodeFails(Wire.frame(AmqpConstants.HEADER, 1, payload), ReplyCode.FRAME_ERROR,
                "negative body size -1", e -> { });
    }

    @Test
    void shouldRejectMalformedContentProperties() {
        byte[] truncated = Wire.bytes(out -> out.writeShort(60).writeShort(0).writeLong(5)
                .writeShort(1 << 15).writeByte(10).writeBytes("text".getBytes(US_ASCII)));
        byte[] trailing = Wire.bytes(out -> out.writeShort(60).writeShort(0).writeLong(5).writeShort(0).writeByte(1));
        byte[] badTimestamp = Wire.bytes(out -> out.writeShort(60).writeShort(0).writeLong(5).writeShort(1 << 6)
                .writeLong(Long.MIN_VALUE));
        byte[] tooShort = Wire.bytes(out -> out.writeShort(60).writeShort(0).writeInt(0));

        assertDecodeFails(Wire.frame(AmqpConstants.HEADER, 1, truncated), ReplyCode.SYNTAX_ERROR,
                "malformed content properties", e -> assertThat(e.channel()).isEqualTo(1));
        assertDecodeFails(Wire.frame(AmqpConstants.HEADER, 1, trailing), ReplyCode.SYNTAX_ERROR,
                "1 bytes after the content properties", e -> { });
        assertDecodeFails(Wire.frame(AmqpConstants.HEADER, 1, badTimestamp), ReplyCode.SYNTAX_ERROR,
                "malformed content properties", e -> { });
        assertDecodeFails(Wire.frame(AmqpConstants.HEADER, 1, tooShort), ReplyCode.FRAME_ERROR,
                "content header frame of 8 bytes is too short", e -> { });
    }

    @Test
    void shouldKeepContentPropertiesExactlyAsReceived() {
        byte[] raw = PROPS.encode();
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            h.write(Wire.bytes(out -> Frames.writeHeader(out, 1, 60, 3, raw)));

            HeaderFrame frame = (HeaderFrame) h.frames().get(0);
            assertThat(frame.rawProperties()).isEqualTo(raw);
            assertThat(frame.properties()).isEqualTo(PROPS);
            assertThat(frame.bodySize()).isEqualTo(3);
        }
    }

    @Test
    void shouldReportAnUnsupportedProtocolHeaderAndIgnoreWhatFollows() {
        byte[] http = "GET / HTTP/1.1\r\nHost: broker\r\n\r\n".getBytes(US_ASCII);
        try (DecoderHarness h = new DecoderHarness()) {
            h.write(http);
            h.write(Wire.methodFrame(0, new ConnectionMethod.CloseOk()));

            assertThat(h.frames()).containsExactly(
                    new ProtocolHeaderFrame(false, "GET / HT".getBytes(US_ASCII)));
        }
        try (DecoderHarness h = new DecoderHarness()) {
            h.write(new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9});

            assertThat(h.frames())
                    .containsExactly(new ProtocolHeaderFrame(false, new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9}));
        }
    }

    @Test
    void shouldWaitForTheWholeProtocolHeader() {
        try (DecoderHarness h = new DecoderHarness()) {
            h.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9});
            assertThat(h.frames()).isEmpty();

            h.write(new byte[] {1});
            assertThat(h.frames()).containsExactly(ProtocolHeaderFrame.ours());
        }
    }
}
