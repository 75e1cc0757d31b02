package io.wharf.protocol.mqtt;

import io.wharf.protocol.common.EventLoops;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.Broker;
import io.wharf.core.BrokerSettings;
import io.wharf.storage.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.wharf.protocol.common.FuzzLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.nio.file.Path;

/**
 * Packets no well-behaved client sends, as raw bytes over a real socket: they get MQTT's return
 * and reason codes or a closed connection, and the broker goes on serving. A fuzz loop sends
 * random and mutated packets.
 */
class MqttBadInputTest {

    @TempDir
    Path dir;

    private Broker broker;
    private final EventLoops loops = EventLoops.start();
    private MqttEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)));
        endpoint = MqttEndpoint.start(broker, new MqttSettings("127.0.0.1", 0, "/", 1024, "guest", 100, 1_000, -1), loops);
    }

    @AfterEach
    void stop() throws IOException {
        endpoint.close();
        loops.close();
        broker.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", endpoint.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** A packet: its first byte, the remaining length as MQTT encodes it, and the rest. */
    private static byte[] packet(int first, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int n = rest.length;
        do {
            int digit = n % 128;
            n /= 128;
            out.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        out.writeBytes(rest);
        return out.toByteArray();
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 2];
        out[0] = (byte) (b.length >> 8);
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] connectPacket(int level, String clientId) {
        return packet(0x10, concat(str("MQTT"), new byte[] {(byte) level, 0x02, 0x00, 0x3C}, str(clientId)));
    }

    private static byte[] read(Socket s, int n) throws IOException {
        byte[] b = new byte[n];
        new DataInputStream(s.getInputStream()).readFully(b);
        return b;
    }

    private static boolean closed(Socket s) throws IOException {
        try {
            while (true) {
                if (s.getInputStream().read() < 0) {
                    return true;
                }
            }
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    private void assertStillServing() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(connectPacket(4, "healthy"));
            assertThat(read(s, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        }
    }

    /** One whole packet as read: its first byte and its body. */
    private record Packet(int first, byte[] body) {
    }

    private static Packet readPacket(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int digit = in.readUnsignedByte();
            length |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(first, body);
    }

    private static byte[] qos2Publish(int id) {
        return packet(0x34, concat(str("greedy/topic"), new byte[] {(byte) (id >> 8), (byte) id, 0x00},
                "x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldDisconnectAnMqtt5ClientThatExceedsReceiveMaximumWith0x93() throws IOException {
        int receiveMaximum = 1024;
        try (Socket s = connect()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            s.getOutputStream().write(packet(0x10, concat(str("MQTT"), new byte[] {5, 0x02, 0x00, 0x3C, 0x00}, str("greedy"))));
            Packet connack = readPacket(in);
            assertThat(connack.first()).isEqualTo(0x20);
            assertThat(connack.body()[1]).isZero();
            // QoS 2 publishes stay under way until the client releases them, which this one never does:
            // Receive Maximum of them are taken, one more ends the connection.
            ByteArrayOutputStream publishes = new ByteArrayOutputStream();
            for (int id = 1; id <= receiveMaximum; id++) {
                publishes.writeBytes(qos2Publish(id));
            }
            s.getOutputStream().write(publishes.toByteArray());
            for (int i = 0; i < receiveMaximum; i++) {
                Packet pubrec = readPacket(in);
                assertThat(pubrec.first()).isEqualTo(0x50);
            }
            s.getOutputStream().write(qos2Publish(receiveMaximum + 1));
            Packet p = readPacket(in);
            assertThat(p.first()).isEqualTo(0xE0);
            assertThat(p.body()[0] & 0xFF).isEqualTo(0x93);
            assertThat(closed(s)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldRefuseAnUnknownProtocolLevelWithReturnCodeOne() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(connectPacket(7, "future"));
            assertThat(read(s, 4)).containsExactly(0x20, 0x02, 0x00, 0x01);
            assertThat(closed(s)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldRefuseAnEmptyClientIdWithoutACleanSession() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(packet(0x10, concat(str("MQTT"), new byte[] {4, 0x00, 0x00, 0x3C}, str(""))));
            assertThat(read(s, 4)).containsExactly(0x20, 0x02, 0x00, 0x02);
            assertThat(closed(s)).isTrue();
        }
    }

    @Test
    void shouldCloseAConnectionWhoseFirstPacketIsNotConnect() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[] {(byte) 0xC0, 0x00});
            assertThat(closed(s)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerAnInvalidFilterWithAFailureInTheSubAck() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(connectPacket(4, "filters"));
            assertThat(read(s, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            byte[] sub = packet(0x82, concat(new byte[] {0x00, 0x01}, str("a/#/b"), new byte[] {1}, str("ok/+"), new byte[] {1}));
            s.getOutputStream().write(sub);
            assertThat(read(s, 6)).containsExactly(0x90, 0x04, 0x00, 0x01, 0x80, 0x01);
        }
    }

    @Test
    void shouldCloseTheConnectionOnAPublishWithAWildcardInItsTopic() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(connectPacket(4, "wild"));
            read(s, 4);
            s.getOutputStream().write(packet(0x30, concat(str("a/+"), "x".getBytes(StandardCharsets.UTF_8))));
            assertThat(closed(s)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldCloseTheConnectionOnAPacketLargerThanTheLimit() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(connectPacket(4, "big"));
            read(s, 4);
            s.getOutputStream().write(packet(0x30, concat(str("t"), new byte[4096])));
            assertThat(closed(s)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldSurviveRandomAndMutatedPackets() throws IOException {
        List<byte[]> valid = List.of(
            connectPacket(4, "fuzz"),
            connectPacket(5, "fuzz5"),
            packet(0x82, concat(new byte[] {0x00, 0x01}, str("a/+/c"), new byte[] {1})),
            packet(0x32, concat(str("a/b/c"), new byte[] {0x00, 0x07}, "payload".getBytes(StandardCharsets.UTF_8))),
            packet(0xA2, concat(new byte[] {0x00, 0x02}, str("a/+/c"))),
            new byte[] {(byte) 0xC0, 0x00});
        new FuzzLoop(20261122).run(300, this::connect, valid.subList(0, 2), valid, 4, 200);
        assertStillServing();
    }
}
