package io.wharf.protocol.amqp.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.AMQImpl;
import com.rabbitmq.client.impl.LongStringHelper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.wharf.core.message.MessageProperties;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the codec against the RabbitMQ Java client's own frame and method code, as an independent
 * implementation of the same spec: what we write it reads, and what it writes we read.
 */
class RabbitClientInteropTest {

    private static final int FRAME_MAX = 4096;

    static List<Method> samples() {
        return MethodSamples.all();
    }

    // --- the client's side ---

    private static byte[] clientBytes(List<com.rabbitmq.client.impl.Frame> frames) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (com.rabbitmq.client.impl.Frame f : frames) {
                f.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] clientBytes(com.rabbitmq.client.impl.Method method, int channel) throws IOException {
        return clientBytes(List.of(method.toFrame(channel)));
    }

    private static List<com.rabbitmq.client.impl.Frame> clientFrames(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        List<com.rabbitmq.client.impl.Frame> frames = new ArrayList<>();
        while (in.available() > 0) {
            frames.add(com.rabbitmq.client.impl.Frame.readFrom(in, () -> Integer.MAX_VALUE));
        }
        return frames;
    }

    private static com.rabbitmq.client.impl.Method clientMethod(com.rabbitmq.client.impl.Frame frame)
            throws IOException {
        assertThat(frame.getType()).isEqualTo(AMQP.FRAME_METHOD);
        return AMQImpl.readMethodFrom(frame.getInputStream());
    }

    // --- our side ---

    private static List<Frame> decode(byte[] bytes, List<Object> keep) {
        try (DecoderHarness h = DecoderHarness.afterProtocolHeader()) {
            h.write(bytes);
            List<Frame> frames = h.frames();
            for (Frame f : frames) {
                // Copy bodies out: the harness releases the frames when it closes.
                keep.add(f instanceof BodyFrame b ? ByteBufUtil.getBytes(b.payload()) : f);
            }
            return frames;
        }
    }

    private static List<Object> decode(byte[] bytes) {
        List<Object> frames = new ArrayList<>();
        decode(bytes, frames);
        return frames;
    }

    private static Method decodeMethod(byte[] bytes, int channel) {
        List<Object> frames = decode(bytes);
        assertThat(frames).hasSize(1);
        MethodFrame frame = (MethodFrame) frames.get(0);
        assertThat(frame.channel()).isEqualTo(channel);
        return frame.method();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void shouldEncodeEveryMethodByteForByteAsTheRabbitMqClientDoes(Method method) throws IOException {
        byte[] ours = Wire.methodFrame(7, method);

        List<com.rabbitmq.client.impl.Frame> frames = clientFrames(ours);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).getChannel()).isEqualTo(7);
        com.rabbitmq.client.impl.Method theirs = clientMethod(frames.get(0));

        assertThat(theirs.protocolClassId()).isEqualTo(method.classId());
        assertThat(theirs.protocolMethodId()).isEqualTo(method.methodId());
        assertThat(theirs.protocolMethodName()).isEqualTo(method.name());
        assertThat(theirs.hasContent()).isEqualTo(method.hasContent());
        assertThat(clientBytes(theirs, 7)).isEqualTo(ours);
        assertThat(decodeMethod(clientBytes(theirs, 7), 7)).isEqualTo(method);
    }

    @Test
    void shouldDecodeTheClientsSideOfTheHandshake() throws IOException {
        Map<String, Object> capabilities = new HashMap<>();
        capabilities.put("publisher_confirms", true);
        capabilities.put("exchange_exchange_bindings", true);
        capabilities.put("basic.nack", true);
        capabilities.put("consumer_cancel_notify", true);
        capabilities.put("connection.blocked", true);
        capabilities.put("authentication_failure_close", true);
        Map<String, Object> clientProperties = new HashMap<>();
        clientProperties.put("product", "RabbitMQ");
        clientProperties.put("version", "5.37.0");
        clientProperties.put("platform", "Java");
        clientProperties.put("copyright", LongStringHelper.asLongString("Copyright (c) 2007-2025 Broadcom Inc."));
        clientProperties.put("information", "Licensed under the MPL.");
        clientProperties.put("connection_name", "orders-service");
        clientProperties.put("capabilities", capabilities);
        byte[] response = "\0guest\0guest".getBytes(UTF_8);

        Method startOk = decodeMethod(clientBytes(new AMQImpl.Connection.StartOk(clientProperties, "PLAIN",
                LongStringHelper.asLongString(response), "en_US"), 0), 0);
        Method tuneOk = decodeMethod(clientBytes(new AMQImpl.Connection.TuneOk(2047, 131072, 60), 0), 0);
        Method open = decodeMethod(clientBytes(new AMQImpl.Connection.Open("/orders", "", false), 0), 0);
        Method channelOpen = decodeMethod(clientBytes(new AMQImpl.Channel.Open(""), 1), 1);
        Method channelClose = decodeMethod(clientBytes(new AMQImpl.Channel.Close(200, "Goodbye", 0, 0), 1), 1);
        Method close = decodeMethod(clientBytes(new AMQImpl.Connection.Close(200, "OK", 0, 0), 0), 0);

        Map<String, Object> expectedProperties = new HashMap<>(clientProperties);
        expectedProperties.put("copyright", "Copyright (c) 2007-2025 Broadcom Inc.");
        assertThat(startOk).isEqualTo(new ConnectionMethod.StartOk(expectedProperties, "PLAIN", response, "en_US"));
        assertThat(tuneOk).isEqualTo(new ConnectionMethod.TuneOk(2047, 131072, 60));
        assertThat(open).isEqualTo(new ConnectionMethod.Open("/orders", "", false));
        assertThat(channelOpen).isEqualTo(new ChannelMethod.Open(""));
        assertThat(channelClose).isEqualTo(new ChannelMethod.Close(200, "Goodbye", 0, 0));
        assertThat(close).isEqualTo(new ConnectionMethod.Close(200, "OK", 0, 0));
    }

    @Test
    void shouldWriteTheServersSideOfTheHandshakeAsTheClientExpects() throws IOException {
        Map<String, Object> serverProperties = new LinkedHashMap<>();
        serverProperties.put("product", "Wharf");
        serverProperties.put("version", "0.1.0");
        serverProperties.put("capabilities", Map.of("publisher_confirms", true, "basic.nack", true));
        byte[] ours = Wire.concat(
                Wire.methodFrame(0, new ConnectionMethod.Start(0, 9, serverProperties, "PLAIN AMQPLAIN".getBytes(UTF_8),
                        "en_US".getBytes(UTF_8))),
                Wire.methodFrame(0, new ConnectionMethod.Tune(2047, 131072, 60)),
                Wire.methodFrame(0, new ConnectionMethod.OpenOk("")),
                Wire.methodFrame(1, new ChannelMethod.OpenOk(new byte[0])),
                Wire.methodFrame(0, new ConnectionMethod.Close(320, "CONNECTION_FORCED - shutdown", 0, 0)));

        List<com.rabbitmq.client.impl.Frame> frames = clientFrames(ours);

        AMQImpl.Connection.Start start = (AMQImpl.Connection.Start) clientMethod(frames.get(0));
        assertThat(start.getVersionMajor()).isZero();
        assertThat(start.getVersionMinor()).isEqualTo(9);
        assertThat(start.getMechanisms().toString()).isEqualTo("PLAIN AMQPLAIN");
        assertThat(start.getLocales().toString()).isEqualTo("en_US");
        assertThat(start.getServerProperties().get("product")).hasToString("Wharf");
        assertThat(start.getServerProperties().get("capabilities"))
                .isEqualTo(Map.of("publisher_confirms", true, "basic.nack", true));
        assertThat(clientMethod(frames.get(1))).isEqualTo(new AMQImpl.Connection.Tune(2047, 131072, 60));
        assertThat(clientMethod(frames.get(2))).isEqualTo(new AMQImpl.Connection.OpenOk(""));
        assertThat(frames.get(3).getChannel()).isEqualTo(1);
        assertThat(clientMethod(frames.get(3)))
                .isEqualTo(new AMQImpl.Channel.OpenOk(LongStringHelper.asLongString(new byte[0])));
        assertThat(clientMethod(frames.get(4)))
                .isEqualTo(new AMQImpl.Connection.Close(320, "CONNECTION_FORCED - shutdown", 0, 0));
    }

    private static Map<String, Object> clientTableOfEveryType() {
        Map<String, Object> table = new HashMap<>();
        table.put("string", "text");
        table.put("longstring", LongStringHelper.asLongString("long text"));
        table.put("int", 42);
        table.put("long", 1L << 40);
        table.put("bool", false);
        table.put("byte", (byte) -7);
        table.put("short", (short) 1234);
        table.put("float", 1.25f);
        table.put("double", -0.5d);
        table.put("decimal", new BigDecimal("-3.14"));
        table.put("bytes", new byte[] {0, 1, (byte) 0xFF});
        table.put("timestamp", new Date(1_700_000_000_000L));
        table.put("table", Map.of("inner", Map.of("deep", 1)));
        table.put("array", List.of(1, "two", List.of(3L), Map.of("k", true)));
        table.put("void", null);
        return table;
    }

    @Test
    void shouldDecodeAnExchangeDeclareWhoseArgumentsHaveEveryValueType() throws IOException {
        byte[] theirs = clientBytes(new AMQImpl.Exchange.Declare(0, "events", "headers", false, true, false, false,
                true, clientTableOfEveryType()), 3);

        ExchangeMethod.Declare declare = (ExchangeMethod.Declare) decodeMethod(theirs, 3);

        assertThat(declare.exchange()).isEqualTo("events");
        assertThat(declare.type()).isEqualTo("headers");
        assertThat(List.of(declare.passive(), declare.durable(), declare.autoDelete(), declare.internal(),
                declare.noWait())).containsExactly(false, true, false, false, true);
        Map<String, Object> a = declare.arguments();
        assertThat(a).hasSize(15);
        assertThat(a.get("string")).isEqualTo("text");
        assertThat(a.get("longstring")).isEqualTo("long text");
        assertThat(a.get("int")).isEqualTo(42);
        assertThat(a.get("long")).isEqualTo(1L << 40);
        assertThat(a.get("bool")).isEqualTo(false);
        assertThat(a.get("byte")).isEqualTo((byte) -7);
        assertThat(a.get("short")).isEqualTo((short) 1234);
        assertThat(a.get("float")).isEqualTo(1.25f);
        assertThat(a.get("double")).isEqualTo(-0.5d);
        assertThat(a.get("decimal")).isEqualTo(new BigDecimal("-3.14"));
        assertThat((byte[]) a.get("bytes")).containsExactly(0, 1, 0xFF);
        assertThat(a.get("timestamp")).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
        assertThat(a.get("table")).isEqualTo(Map.of("inner", Map.of("deep", 1)));
        assertThat(a.get("array")).isEqualTo(List.of(1, "two", List.of(3L), Map.of("k", true)));
        assertThat(a).containsEntry("void", null);
    }

    @Test
    void shouldEncodeArgumentsOfEveryValueTypeSoTheClientReadsThem() throws IOException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("string", "text");
        args.put("int", 42);
        args.put("long", 1L << 40);
        args.put("bool", true);
        args.put("byte", (byte) -7);
        args.put("short", (short) 1234);
        args.put("float", 1.25f);
        args.put("double", -0.5d);
        args.put("decimal", new BigDecimal("-3.14"));
        args.put("bytes", new byte[] {0, 1, (byte) 0xFF});
        args.put("timestamp", Instant.ofEpochSecond(1_700_000_000L));
        args.put("table", Map.of("inner", 1));
        args.put("array", List.of(1, "two"));
        args.put("void", null);
        byte[] ours = Wire.methodFrame(3, new QueueMethod.Declare(0, "q", true, false, true, false, false, args));

        AMQImpl.Queue.Declare declare = (AMQImpl.Queue.Declare) clientMethod(clientFrames(ours).get(0));

        assertThat(declare.getQueue()).isEqualTo("q");
        assertThat(List.of(declare.getPassive(), declare.getDurable(), declare.getExclusive(),
                declare.getAutoDelete(), declare.getNowait())).containsExactly(true, false, true, false, false);
        Map<String, Object> a = declare.getArguments();
        assertThat(a).hasSize(14);
        assertThat(a.get("string")).isInstanceOf(LongString.class).hasToString("text");
        assertThat(a.get("int")).isEqualTo(42);
        assertThat(a.get("long")).isEqualTo(1L << 40);
        assertThat(a.get("bool")).isEqualTo(true);
        assertThat(a.get("byte")).isEqualTo((byte) -7);
        assertThat(a.get("short")).isEqualTo((short) 1234);
        assertThat(a.get("float")).isEqualTo(1.25f);
        assertThat(a.get("double")).isEqualTo(-0.5d);
        assertThat(a.get("decimal")).isEqualTo(new BigDecimal("-3.14"));
        assertThat((byte[]) a.get("bytes")).containsExactly(0, 1, 0xFF);
        assertThat(a.get("timestamp")).isEqualTo(new Date(1_700_000_000_000L));
        assertThat(a.get("table")).isEqualTo(Map.of("inner", 1));
        assertThat((List<?>) a.get("array")).hasSize(2).first().isEqualTo(1);
        assertThat(((List<?>) a.get("array")).get(1)).hasToString("two");
        assertThat(a).containsEntry("void", null);
    }

    @Test
    void shouldDecodeQueueDeclareAndBindFromTheClient() throws IOException {
        Method declare = decodeMethod(clientBytes(new AMQImpl.Queue.Declare(0, "orders", false, true, false, true,
                false, Map.of("x-max-length", 1000)), 2), 2);
        Method bind = decodeMethod(clientBytes(new AMQImpl.Queue.Bind(0, "orders", "amq.topic", "orders.#", true,
                Map.of()), 2), 2);

        assertThat(declare).isEqualTo(new QueueMethod.Declare(0, "orders", false, true, false, true, false,
                Map.of("x-max-length", 1000)));
        assertThat(bind).isEqualTo(new QueueMethod.Bind(0, "orders", "amq.topic", "orders.#", true, Map.of()));
    }

    @Test
    void shouldDecodeAcksNacksConfirmsAndTransactionsFromTheClient() throws IOException {
        Map<com.rabbitmq.client.impl.Method, Method> pairs = new LinkedHashMap<>();
        pairs.put(new AMQImpl.Basic.Ack(Long.MAX_VALUE, true), new BasicMethod.Ack(Long.MAX_VALUE, true));
        pairs.put(new AMQImpl.Basic.Ack(1, false), new BasicMethod.Ack(1, false));
        pairs.put(new AMQImpl.Basic.Nack(77, true, false), new BasicMethod.Nack(77, true, false));
        pairs.put(new AMQImpl.Basic.Nack(78, false, true), new BasicMethod.Nack(78, false, true));
        pairs.put(new AMQImpl.Basic.Reject(79, true), new BasicMethod.Reject(79, true));
        pairs.put(new AMQImpl.Confirm.Select(false), new ConfirmMethod.Select(false));
        pairs.put(new AMQImpl.Confirm.Select(true), new ConfirmMethod.Select(true));
        pairs.put(new AMQImpl.Tx.Select(), new TxMethod.Select());
        pairs.put(new AMQImpl.Tx.Commit(), new TxMethod.Commit());
        pairs.put(new AMQImpl.Tx.Rollback(), new TxMethod.Rollback());
        pairs.put(new AMQImpl.Basic.Qos(0, 100, false), new BasicMethod.Qos(0, 100, false));

        for (Map.Entry<com.rabbitmq.client.impl.Method, Method> p : pairs.entrySet()) {
            assertThat(decodeMethod(clientBytes(p.getKey(), 9), 9)).isEqualTo(p.getValue());
        }
    }

    private static Map<String, Object> clientHeaders() {
        Map<String, Object> death = new HashMap<>();
        death.put("count", 1L);
        death.put("reason", "expired");
        death.put("queue", "orders");
        death.put("time", new Date(1_700_000_000_000L));
        death.put("routing-keys", List.of("orders.eu"));
        Map<String, Object> headers = new HashMap<>();
        headers.put("x-death", List.of(death));
        headers.put("amount", new BigDecimal("19.99"));
        headers.put("signature", new byte[] {(byte) 0xDE, (byte) 0xAD});
        headers.put("tenant", Map.of("id", 7, "region", Map.of("name", "eu-west")));
        headers.put("flags", List.of(true, (byte) 1, (short) 2, 3, 4L, 5.0f, 6.0d));
        return headers;
    }

    @Test
    void shouldDecodeAPublishWithEveryPropertyAndABodySplitIntoFrames() throws IOException {
        byte[] body = new byte[10_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        AMQP.BasicProperties props = new AMQP.BasicProperties("application/json", "gzip", clientHeaders(), 2, 9,
                "corr-1", "amq.rabbitmq.reply-to", "60000", "msg-1", new Date(1_700_000_000_000L), "order.created",
                "guest", "orders-service", "cluster-a");
        List<com.rabbitmq.client.impl.Frame> frames = new ArrayList<>();
        frames.add(new AMQImpl.Basic.Publish(0, "amq.topic", "orders.eu", true, false).toFrame(5));
        com.rabbitmq.client.impl.Frame header = props.toFrame(5, body.length);
        frames.add(header);
        for (int at = 0; at < body.length; at += FRAME_MAX - 8) {
            frames.add(com.rabbitmq.client.impl.Frame.fromBodyFragment(5, ByteBuffer.wrap(body), at,
                    Math.min(body.length - at, FRAME_MAX - 8)));
        }

        List<Object> decoded = decode(clientBytes(frames));

        assertThat(decoded).hasSize(5);
        assertThat(decoded.get(0)).isEqualTo(new MethodFrame(5,
                new BasicMethod.Publish(0, "amq.topic", "orders.eu", true, false)));
        HeaderFrame h = (HeaderFrame) decoded.get(1);
        assertThat(h.channel()).isEqualTo(5);
        assertThat(h.classId()).isEqualTo(60);
        assertThat(h.bodySize()).isEqualTo(10_000);
        assertThat(h.rawProperties()).isEqualTo(Arrays.copyOfRange(header.getPayload(), 12, header.size() - 8));
        MessageProperties p = h.properties();
        assertThat(p).usingRecursiveComparison().ignoringFields("headers").isEqualTo(new MessageProperties(
                "application/json", "gzip", null, 2, 9, "corr-1", "amq.rabbitmq.reply-to", "60000", "msg-1",
                Instant.ofEpochSecond(1_700_000_000L), "order.created", "guest", "orders-service", "cluster-a"));
        Map<String, Object> death = new HashMap<>();
        death.put("count", 1L);
        death.put("reason", "expired");
        death.put("queue", "orders");
        death.put("time", Instant.ofEpochSecond(1_700_000_000L));
        death.put("routing-keys", List.of("orders.eu"));
        assertThat(p.headers()).containsOnlyKeys("x-death", "amount", "signature", "tenant", "flags");
        assertThat(p.headers().get("x-death")).isEqualTo(List.of(death));
        assertThat(p.headers().get("amount")).isEqualTo(new BigDecimal("19.99"));
        assertThat((byte[]) p.headers().get("signature")).containsExactly(0xDE, 0xAD);
        assertThat(p.headers().get("tenant")).isEqualTo(Map.of("id", 7, "region", Map.of("name", "eu-west")));
        assertThat(p.headers().get("flags")).isEqualTo(List.of(true, (byte) 1, (short) 2, 3, 4L, 5.0f, 6.0d));
        assertThat(decoded.subList(2, 5)).extracting(b -> ((byte[]) b).length).containsExactly(4088, 4088, 1824);
        assertThat(Wire.concat((byte[]) decoded.get(2), (byte[]) decoded.get(3), (byte[]) decoded.get(4)))
                .isEqualTo(body);
    }

    @Test
    void shouldWriteADeliveryTheClientReadsWithEveryProperty() throws IOException {
        byte[] bodyBytes = new byte[9000];
        Arrays.fill(bodyBytes, (byte) 'x');
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("x-first-death-reason", "rejected");
        headers.put("nested", Map.of("deeper", Map.of("n", 3)));
        headers.put("list", List.of("a", 2, List.of(false)));
        headers.put("price", new BigDecimal("0.001"));
        headers.put("when", Instant.ofEpochSecond(1_600_000_000L));
        headers.put("raw", new byte[] {9, 8, 7});
        MessageProperties props = new MessageProperties("text/plain", "utf-8", headers, 1, 0, "c", "r", "1000",
                "m", Instant.ofEpochSecond(1_650_000_000L), "t", "u", "a", "cl");
        ByteBuf out = Unpooled.buffer();
        ByteBuf body = Unpooled.wrappedBuffer(bodyBytes);
        byte[] ours;
        try {
            Frames.writeContent(out, 4, new BasicMethod.Deliver("ctag-9", 42, true, "amq.direct", "rk"),
                    props.encode(), body, FRAME_MAX);
            ours = ByteBufUtil.getBytes(out);
            assertThat(body.readerIndex()).isZero();
        } finally {
            out.release();
            body.release();
        }

        List<com.rabbitmq.client.impl.Frame> frames = clientFrames(ours);

        assertThat(frames).hasSize(5).allSatisfy(f -> assertThat(f.getChannel()).isEqualTo(4));
        assertThat(clientMethod(frames.get(0)))
                .isEqualTo(new AMQImpl.Basic.Deliver("ctag-9", 42, true, "amq.direct", "rk"));
        assertThat(frames.get(1).getType()).isEqualTo(AMQP.FRAME_HEADER);
        AMQP.BasicProperties p = (AMQP.BasicProperties) AMQImpl.readContentHeaderFrom(frames.get(1).getInputStream());
        assertThat(p.getBodySize()).isEqualTo(9000);
        assertThat(p.getContentType()).isEqualTo("text/plain");
        assertThat(p.getContentEncoding()).isEqualTo("utf-8");
        assertThat(p.getDeliveryMode()).isEqualTo(1);
        assertThat(p.getPriority()).isZero();
        assertThat(p.getCorrelationId()).isEqualTo("c");
        assertThat(p.getReplyTo()).isEqualTo("r");
        assertThat(p.getExpiration()).isEqualTo("1000");
        assertThat(p.getMessageId()).isEqualTo("m");
        assertThat(p.getTimestamp()).isEqualTo(new Date(1_650_000_000_000L));
        assertThat(p.getType()).isEqualTo("t");
        assertThat(p.getUserId()).isEqualTo("u");
        assertThat(p.getAppId()).isEqualTo("a");
        assertThat(p.getClusterId()).isEqualTo("cl");
        Map<String, Object> h = p.getHeaders();
        assertThat(h.get("x-first-death-reason")).hasToString("rejected");
        assertThat(h.get("nested")).isEqualTo(Map.of("deeper", Map.of("n", 3)));
        assertThat((List<?>) h.get("list")).hasSize(3).element(2).isEqualTo(List.of(false));
        assertThat(h.get("price")).isEqualTo(new BigDecimal("0.001"));
        assertThat(h.get("when")).isEqualTo(new Date(1_600_000_000_000L));
        assertThat((byte[]) h.get("raw")).containsExactly(9, 8, 7);
        assertThat(frames.subList(2, 5)).allSatisfy(f -> assertThat(f.getType()).isEqualTo(AMQP.FRAME_BODY))
                .extracting(f -> f.getPayload().length).containsExactly(4088, 4088, 824);
        assertThat(frames).allSatisfy(f -> assertThat(f.size()).isLessThanOrEqualTo(FRAME_MAX));
    }
}
