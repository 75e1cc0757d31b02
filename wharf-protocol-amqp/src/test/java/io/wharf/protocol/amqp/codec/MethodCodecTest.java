package io.wharf.protocol.amqp.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MethodCodecTest {

    static List<Method> samples() {
        return MethodSamples.all();
    }

    private static Method decode(int classId, int methodId, byte[] args) {
        ByteBuf buf = Unpooled.wrappedBuffer(args);
        try {
            return Methods.read(classId, methodId, buf);
        } finally {
            buf.release();
        }
    }

    private static Method roundTrip(Method m) {
        return decode(m.classId(), m.methodId(), Wire.args(m));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldDecodeWhatWasEncoded(Method method) {
        Method decoded = roundTrip(method);

        assertThat(decoded).isEqualTo(method).hasSameHashCodeAs(method);
        assertThat(decoded.name()).isEqualTo(method.name());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldRejectEveryTruncationOfTheArguments(Method method) {
        byte[] args = Wire.args(method);
        for (int length = 0; length < args.length; length++) {
            byte[] truncated = Arrays.copyOf(args, length);
            AmqpException e = catchThrowableOfType(AmqpException.class,
                    () -> decode(method.classId(), method.methodId(), truncated));
            assertThat(e).as("%s cut to %d bytes", method.name(), length).isNotNull();
            assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
            assertThat(e.connectionLevel()).isTrue();
            assertThat(e.classId()).isEqualTo(method.classId());
            assertThat(e.methodId()).isEqualTo(method.methodId());
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldRejectBytesAfterTheLastArgument(Method method) {
        byte[] args = Arrays.copyOf(Wire.args(method), Wire.args(method).length + 1);

        assertThatThrownBy(() -> decode(method.classId(), method.methodId(), args))
                .isInstanceOfSatisfying(AmqpException.class, e -> {
                    assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
                    assertThat(e.text()).contains(method.name()).contains("1 bytes after the last argument");
                });
    }

    @Test
    void shouldHaveOneSampleForEveryKnownMethod() {
        Set<List<Integer>> known = new HashSet<>();
        for (int classId = 0; classId <= 200; classId++) {
            for (int methodId = 0; methodId <= 200; methodId++) {
                if (Methods.isKnown(classId, methodId)) {
                    known.add(List.of(classId, methodId));
                }
            }
        }
        Set<List<Integer>> sampled = new HashSet<>();
        for (Method m : samples()) {
            sampled.add(List.of(m.classId(), m.methodId()));
        }

        assertThat(sampled).hasSize(samples().size()).isEqualTo(known);
        assertThat(known).hasSize(66);
    }

    @Test
    void shouldNameMethodsAsTheSpecDoes() {
        assertThat(new BasicMethod.Publish(0, "", "", false, false).name()).isEqualTo("basic.publish");
        assertThat(new ConnectionMethod.StartOk(Map.of(), "PLAIN", new byte[0], "en_US").name())
                .isEqualTo("connection.start-ok");
        assertThat(new ExchangeMethod.UnbindOk().name()).isEqualTo("exchange.unbind-ok");
        assertThat(new TxMethod.RollbackOk().name()).isEqualTo("tx.rollback-ok");
        assertThat(samples()).allSatisfy(m -> assertThat(m.name()).matches("[a-z]+\\.[a-z-]+"));
    }

    @Test
    void shouldMarkOnlyContentMethodsAsCarryingContent() {
        assertThat(samples().stream().filter(Method::hasContent).map(Method::name))
                .containsExactlyInAnyOrder("basic.publish", "basic.return", "basic.deliver", "basic.get-ok");
    }

    @Test
    void shouldPackConsecutiveBitsLowestFirstIntoOneOctet() {
        byte[] args = Wire.args(new ExchangeMethod.Declare(0, "x", "direct", true, false, true, false, true, Map.of()));

        // reserved-1 (2), "x" (2), "direct" (7), one octet of bits, empty table (4)
        assertThat(args).hasSize(16);
        assertThat(args[11]).isEqualTo((byte) 0b10101);
    }

    @Test
    void shouldRoundTripEveryCombinationOfBits() {
        for (int bits = 0; bits < 32; bits++) {
            boolean[] b = new boolean[5];
            for (int i = 0; i < 5; i++) {
                b[i] = (bits & (1 << i)) != 0;
            }
            // Each method with the offset of its bit octet and how many bits it packs there.
            Map<Method, int[]> methods = Map.of(
                    new ExchangeMethod.Declare(1, "x", "fanout", b[0], b[1], b[2], b[3], b[4], Map.of()),
                    new int[] {11, 5},
                    new QueueMethod.Declare(1, "q", b[0], b[1], b[2], b[3], b[4], Map.of()), new int[] {4, 5},
                    new AccessMethod.Request("/", b[0], b[1], b[2], b[3], b[4]), new int[] {2, 5},
                    new BasicMethod.Consume(1, "q", "t", b[0], b[1], b[2], b[3], Map.of()), new int[] {6, 4},
                    new QueueMethod.Delete(1, "q", b[0], b[1], b[2]), new int[] {4, 3},
                    new BasicMethod.Nack(bits, b[0], b[1]), new int[] {8, 2});
            for (Map.Entry<Method, int[]> e : methods.entrySet()) {
                Method m = e.getKey();
                int offset = e.getValue()[0];
                int count = e.getValue()[1];
                assertThat(roundTrip(m)).isEqualTo(m);
                assertThat(Wire.args(m)[offset]).as(m.toString()).isEqualTo((byte) (bits & ((1 << count) - 1)));
            }
        }
    }

    @Test
    void shouldStartANewOctetForBitsAfterAnotherArgument() {
        // deliver: consumer-tag, delivery-tag, redelivered (bit), exchange, routing-key
        byte[] args = Wire.args(new BasicMethod.Deliver("t", 2, true, "e", "k"));

        assertThat(args).containsExactly(1, 't', 0, 0, 0, 0, 0, 0, 0, 2, 1, 1, 'e', 1, 'k');
    }

    @Test
    void shouldKeepUnsignedValuesUnsigned() {
        Method tune = new ConnectionMethod.Tune(65535, 0xFFFFFFFFL, 65535);
        Method qos = new BasicMethod.Qos(0xFFFFFFFFL, 65535, false);

        assertThat(roundTrip(tune)).isEqualTo(tune);
        assertThat(roundTrip(qos)).isEqualTo(qos);
    }

    @Test
    void shouldRejectAnUnknownMethodAsNotImplemented() {
        assertThatThrownBy(() -> decode(60, 99, new byte[0]))
                .isInstanceOfSatisfying(AmqpException.class, e -> {
                    assertThat(e.replyCode()).isEqualTo(ReplyCode.NOT_IMPLEMENTED);
                    assertThat(e.connectionLevel()).isTrue();
                    assertThat(e.replyText()).isEqualTo("NOT_IMPLEMENTED - unknown method class 60 method 99");
                    assertThat(e.classId()).isEqualTo(60);
                    assertThat(e.methodId()).isEqualTo(99);
                });
        assertThatThrownBy(() -> decode(65535, 65535, new byte[0])).isInstanceOf(AmqpException.class);
        assertThatThrownBy(() -> decode(70, 10, new byte[0])).isInstanceOf(AmqpException.class);
    }

    @Test
    void shouldRejectAShortStringThatIsNotUtf8() {
        byte[] args = {0, 0, 2, (byte) 0xC3, (byte) 0x28, 0, 0}; // reserved-1, bad "queue", no-ack octet missing

        assertThatThrownBy(() -> decode(60, 70, Arrays.copyOf(args, 6)))
                .isInstanceOfSatisfying(AmqpException.class, e -> {
                    assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
                    assertThat(e.text()).isEqualTo("malformed basic.get: a short string is not valid UTF-8");
                });
    }

    @Test
    void shouldRejectATimestampBeyondWhatAnInstantHoldsAsASyntaxError() {
        byte[] table = Wire.bytes(out -> out.writeInt(11).writeByte(1).writeByte('t').writeByte('T')
                .writeLong(Long.MAX_VALUE));
        byte[] args = Wire.args(new QueueMethod.Bind(0, "q", "x", "k", false, Map.of()));
        byte[] withBadTable = Wire.concat(Arrays.copyOf(args, args.length - 4), table);

        assertThatThrownBy(() -> decode(50, 20, withBadTable))
                .isInstanceOfSatisfying(AmqpException.class, e -> {
                    assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
                    assertThat(e.text()).startsWith("malformed queue.bind: ").contains("out of range");
                });
    }

    @Test
    void shouldDecodeMultiByteUtf8ShortStrings() {
        Method m = new BasicMethod.Publish(0, "échange-交換", "clé.🔑", false, false);

        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void shouldRefuseToWriteAShortStringOver255Bytes() {
        String fits = "é".repeat(127) + "x"; // 255 bytes
        String tooLong = "é".repeat(128); // 256 bytes
        ByteBuf out = Unpooled.buffer();
        try {
            new QueueMethod.DeclareOk(fits, 0, 0).write(out);
            assertThat(out.getUnsignedByte(0)).isEqualTo((short) 255);

            assertThatThrownBy(() -> new QueueMethod.DeclareOk(tooLong, 0, 0).write(Unpooled.buffer()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
            assertThatThrownBy(() -> new QueueMethod.DeclareOk("q".repeat(256), 0, 0).write(Unpooled.buffer()))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRoundTripTablesOfEveryValueType() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("string", "text");
        args.put("int", 42);
        args.put("long", 1L << 40);
        args.put("bool", true);
        args.put("byte", (byte) -3);
        args.put("short", (short) -300);
        args.put("float", 1.5f);
        args.put("double", 2.25d);
        args.put("decimal", new BigDecimal("12.345"));
        args.put("time", Instant.ofEpochSecond(1_700_000_000L));
        args.put("nested", Map.of("k", "v"));
        args.put("list", List.of(1, "two", List.of(3L)));
        args.put("void", null);
        Method m = new QueueMethod.Declare(0, "q", false, true, false, false, false, args);

        QueueMethod.Declare decoded = (QueueMethod.Declare) roundTrip(m);

        assertThat(decoded).isEqualTo(m);
        assertThat(decoded.arguments()).containsExactlyEntriesOf(args);
    }

    @Test
    void shouldWriteANullTableAsAnEmptyOne() {
        Method m = new QueueMethod.Bind(0, "q", "x", "k", false, null);

        assertThat(((QueueMethod.Bind) roundTrip(m)).arguments()).isEmpty();
    }

    @Test
    void shouldKeepCredentialsOutOfToString() {
        Method startOk = new ConnectionMethod.StartOk(Map.of(), "PLAIN", "\0guest\0hunter2".getBytes(UTF_8), "en_US");
        Method update = new ConnectionMethod.UpdateSecret("hunter2".getBytes(UTF_8), "renewal");
        Method secureOk = new ConnectionMethod.SecureOk("hunter2".getBytes(UTF_8));

        assertThat(List.of(startOk, update, secureOk))
                .allSatisfy(m -> assertThat(m.toString()).doesNotContain("hunter2"));
        assertThat(startOk.toString()).contains("PLAIN", "14 bytes");
    }
}
