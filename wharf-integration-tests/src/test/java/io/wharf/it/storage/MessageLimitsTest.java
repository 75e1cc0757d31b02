package io.wharf.it.storage;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.it.stomp.StompTestClient;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message over a protocol's size limit is refused before anything is stored, with the
 * protocol's own error and a reason: AMQP 406, MQTT 5 DISCONNECT 0x95, STOMP ERROR.
 */
class MessageLimitsTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension()
            .with("amqp.max-message-size", "1MiB")
            .with("mqtt.max-packet-size", "64KiB")
            .with("stomp.max-frame-size", "64KiB");

    @Test
    void shouldRefuseAnAmqpMessageOverTheLimitWith406AndStoreNothing() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("limited", true, false, false, null);
            ch.basicPublish("", "limited", MessageProperties.PERSISTENT_BASIC, new byte[2 << 20]);

            await().atMost(10, TimeUnit.SECONDS).until(() -> !ch.isOpen());
            ShutdownSignalException close = ch.getCloseReason();
            assertThat(close.isHardError()).as("a channel error, not a connection error").isFalse();
            AMQP.Channel.Close reason = (AMQP.Channel.Close) close.getReason();
            assertThat(reason.getReplyCode()).isEqualTo(406);
            assertThat(reason.getReplyText()).contains("message size 2097152 is larger than configured max size 1048576");
            assertThat(c.createChannel().queueDeclarePassive("limited").getMessageCount()).isZero();
        }
    }

    @Test
    void shouldRefuseAnMqtt5PacketOverTheLimitWithPacketTooLarge() throws Exception {
        try (Socket s = new Socket("127.0.0.1", wharf.mqttPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            // CONNECT: protocol "MQTT" level 5, clean start, keep-alive 60, no properties, client id "big".
            out.write(packet(0x10, concat(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 60, 0}, string("big"))));
            assertThat(in.readUnsignedByte()).as("CONNACK").isEqualTo(0x20);
            in.readNBytes(remainingLength(in));
            // PUBLISH QoS 0 to "t", no properties, announcing 128 KiB of payload: the broker refuses
            // it on the length alone, so only the start is sent (the rest, unread, would make the
            // broker's close a reset that can discard its DISCONNECT).
            out.write(packet(0x30, concat(string("t"), new byte[] {0}, new byte[128 << 10])), 0, 64);
            out.flush();
            assertThat(in.readUnsignedByte()).as("DISCONNECT").isEqualTo(0xE0);
            remainingLength(in);
            assertThat(in.readUnsignedByte()).as("reason code").isEqualTo(0x95);
        }
    }

    @Test
    void shouldRefuseAStompFrameOverTheLimitWithAnError() throws Exception {
        try (StompTestClient c = new StompTestClient(wharf.stompPort())) {
            c.send("CONNECT", Map.of("accept-version", "1.2", "host", "/"), (String) null);
            assertThat(c.read().command()).isEqualTo("CONNECTED");
            c.send("SEND", Map.of("destination", "/queue/limited-stomp"), "x".repeat((64 << 10) + 1024));
            StompTestClient.Frame error = c.read();
            assertThat(error.command()).isEqualTo("ERROR");
            assertThat(error.headers().get("message")).containsIgnoringCase("too large");
        }
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(wharf.server().broker().vhost("/").orElseThrow()
                .findQueue("limited-stomp").map(q -> q.messageCount()).orElse(0L)).isZero());
    }

    private static byte[] packet(int type, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(type);
        int n = body.length;
        do {
            int digit = n % 128;
            n /= 128;
            b.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        b.writeBytes(body);
        return b.toByteArray();
    }

    private static byte[] string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) (utf8.length >> 8), (byte) utf8.length}, utf8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static int remainingLength(DataInputStream in) throws IOException {
        int value = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = in.readUnsignedByte();
            value += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        return value;
    }
}
