package io.wharf.protocol.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DecoderException;
import io.wharf.core.message.MessageProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Feeds {@link FrameDecoder} random bytes and damaged streams of valid frames. Whatever arrives, it must emit
 * frames or fail with an {@link AmqpException}, then stay silent, and leave no buffer unreleased.
 */
class FrameDecoderFuzzTest {

    /** Valid frames, or runs of frames, that streams are built from. */
    private static final List<byte[]> UNITS = units();

    private static List<byte[]> units() {
        List<byte[]> units = new ArrayList<>();
        for (Method m : MethodSamples.all()) {
            units.add(Wire.methodFrame(1, m));
        }
        MessageProperties props = new MessageProperties("text/plain", null,
                Map.of("n", 1, "list", List.of("a", 2L), "t", Map.of("x", true)), 2, 5, "c", null, "100", "id",
                Instant.ofEpochSecond(1_700_000_000L), null, "guest", null, null);
        for (int size : new int[] {0, 1, 100, 5000}) {
            byte[] body = new byte[size];
            Arrays.fill(body, (byte) 'b');
            units.add(Wire.bytes(out -> Frames.writeContent(out, 2,
                    new BasicMethod.Publish(0, "amq.topic", "a.b", true, false), props.encode(), body, 4096)));
        }
        units.add(Wire.bytes(Frames::writeHeartbeat));
        return List.copyOf(units);
    }

    @Provide
    Arbitrary<List<byte[]>> validParts() {
        return Arbitraries.of(UNITS).list().ofMinSize(1).ofMaxSize(6);
    }

    private static Arbitrary<byte[]> validStreams() {
        return Arbitraries.of(UNITS).list().ofMinSize(1).ofMaxSize(6)
                .map(parts -> Wire.concat(parts.toArray(byte[][]::new)));
    }

    @Provide
    Arbitrary<byte[]> hostileInput() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> damaged = Combinators.combine(validStreams(), mutation().list().ofMinSize(1).ofMaxSize(4))
                .as((stream, mutations) -> {
                    byte[] out = stream;
                    for (UnaryOperator<byte[]> m : mutations) {
                        out = m.apply(out);
                    }
                    return out;
                });
        return Arbitraries.frequencyOf(Tuple.of(1, random), Tuple.of(4, damaged));
    }

    private static Arbitrary<UnaryOperator<byte[]>> mutation() {
        Arbitrary<Integer> position = Arbitraries.integers().greaterOrEqual(0);
        Arbitrary<UnaryOperator<byte[]>> flip = Combinators.combine(position, Arbitraries.integers().between(0, 7))
                .as((at, bit) -> bytes -> {
                    if (bytes.length == 0) {
                        return bytes;
                    }
                    byte[] out = bytes.clone();
                    out[at % out.length] ^= (byte) (1 << bit);
                    return out;
                });
        Arbitrary<UnaryOperator<byte[]>> truncate = position.map(at -> bytes ->
                Arrays.copyOf(bytes, bytes.length == 0 ? 0 : at % bytes.length));
        Arbitrary<UnaryOperator<byte[]>> insert = Combinators.combine(position,
                        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8))
                .as((at, extra) -> bytes -> {
                    int i = at % (bytes.length + 1);
                    return Wire.concat(Arrays.copyOf(bytes, i), extra, Arrays.copyOfRange(bytes, i, bytes.length));
                });
        // Overwrites four bytes with a value chosen to hit length fields: small, around limits, or anything.
        Arbitrary<Integer> lengths = Arbitraries.oneOf(Arbitraries.integers().between(-2, 300),
                Arbitraries.of(4088, 4089, 131064, 131065, 0x7FFFFFFF, 0xFFFFFFFF), Arbitraries.integers());
        Arbitrary<UnaryOperator<byte[]>> overwrite = Combinators.combine(position, lengths)
                .as((at, value) -> bytes -> {
                    if (bytes.length < 4) {
                        return bytes;
                    }
                    byte[] out = bytes.clone();
                    int i = at % (out.length - 3);
                    out[i] = (byte) (value >>> 24);
                    out[i + 1] = (byte) (value >>> 16);
                    out[i + 2] = (byte) (value >>> 8);
                    out[i + 3] = value.byteValue();
                    return out;
                });
        Arbitrary<UnaryOperator<byte[]>> firstFrameSize = lengths.map(value -> bytes -> {
            if (bytes.length < 7) {
                return bytes;
            }
            byte[] out = bytes.clone();
            out[3] = (byte) (value >>> 24);
            out[4] = (byte) (value >>> 16);
            out[5] = (byte) (value >>> 8);
            out[6] = value.byteValue();
            return out;
        });
        return Arbitraries.oneOf(flip, truncate, insert, overwrite, firstFrameSize);
    }

    @Property(tries = 1000)
    void shouldEmitFramesOrFailWithAnAmqpExceptionAndNothingElse(@ForAll("hostileInput") byte[] input,
                                                                 @ForAll @IntRange(min = 1, max = 1024) int chunk) {
        // Large inputs in tiny chunks would only slow the run down without finding more.
        int step = Math.max(chunk, input.length / 200);
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            boolean failed = false;
            for (int at = 0; at < input.length; at += step) {
                try {
                    h.write(input, at, Math.min(step, input.length - at));
                } catch (DecoderException e) {
                    assertThat(failed).as("a second error after the decoder gave up").isFalse();
                    assertThat(e).cause().isInstanceOf(AmqpException.class);
                    AmqpException amqp = (AmqpException) e.getCause();
                    assertThat(amqp.connectionLevel()).isTrue();
                    failed = true;
                    // Frames completed before the error in the same read are still handed on.
                    h.frames();
                    continue;
                }
                List<Frame> frames = h.frames();
                if (failed) {
                    assertThat(frames).as("frames after an error").isEmpty();
                }
                for (Frame f : frames) {
                    assertThat(f).isNotInstanceOf(ProtocolHeaderFrame.class);
                    if (f instanceof BodyFrame b) {
                        assertThat(b.payload().readableBytes()).isLessThanOrEqualTo(h.decoder.maxFrameSize() - 8);
                    }
                }
            }
        }
    }

    @Property(tries = 200)
    void shouldDecodeValidStreamsTheSameWhateverTheChunking(@ForAll("validParts") List<byte[]> parts,
                                                           @ForAll @IntRange(min = 1, max = 2048) int chunk) {
        byte[] stream = Wire.concat(parts.toArray(byte[][]::new));
        List<Object> partByPart = new ArrayList<>();
        for (byte[] part : parts) {
            partByPart.addAll(decode(part, part.length));
        }

        assertThat(decode(stream, Math.max(chunk, stream.length / 200))).isEqualTo(partByPart);
    }

    private static List<Object> decode(byte[] stream, int step) {
        List<Object> out = new ArrayList<>();
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            for (int at = 0; at < stream.length; at += step) {
                h.write(stream, at, Math.min(step, stream.length - at));
                for (Frame f : h.frames()) {
                    out.add(f instanceof BodyFrame b ? List.of(b.channel(), ByteBufUtil.hexDump(b.payload())) : f);
                }
            }
        }
        return out;
    }
}
