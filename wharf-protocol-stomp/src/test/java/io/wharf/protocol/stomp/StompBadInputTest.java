package io.wharf.protocol.stomp;

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
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import java.util.List;
import java.nio.file.Path;

/**
 * Frames no well-behaved client sends, as raw bytes over a real socket: they get an ERROR frame
 * and a closed connection, and the broker goes on serving. A fuzz loop sends random and mutated
 * frames. Also the heart-beats: Wharf sends them, and a silent client is disconnected.
 */
class StompBadInputTest {

    @TempDir
    Path dir;

    private Broker broker;
    private final EventLoops loops = EventLoops.start();
    private StompEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)));
        endpoint = StompEndpoint.start(broker, new StompSettings("127.0.0.1", 0, "/", 4096, 200, "guest", -1), loops);
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

    private static byte[] frame(String text) {
        return (text + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** Everything the broker sends until it closes the connection (or goes quiet for the socket's timeout). */
    private static String readAll(Socket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        try {
            int c;
            while ((c = in.read()) >= 0) {
                out.write(c);
            }
        } catch (SocketException | SocketTimeoutException ended) {
            // reset, or still open
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void assertStillServing() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(frame("CONNECT\naccept-version:1.2\n\n"));
            byte[] b = s.getInputStream().readNBytes(9);
            assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("CONNECTED");
        }
    }

    @Test
    void shouldAnswerAFrameLargerThanTheLimitWithAnErrorAndClose() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(frame("CONNECT\naccept-version:1.2\n\n"));
            s.getOutputStream().write(frame("SEND\ndestination:/queue/big\ncontent-length:10000\n\n" + "x".repeat(10_000)));
            String got = readAll(s);
            assertThat(got).startsWith("CONNECTED").contains("ERROR");
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerAnUnknownCommandWithAnError() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(frame("CONNECT\naccept-version:1.2\n\n"));
            s.getOutputStream().write(frame("LAUNCH\n\n"));
            assertThat(readAll(s)).contains("ERROR");
        }
        assertStillServing();
    }

    @Test
    void shouldSendHeartBeatsAndCloseASilentClient() throws IOException {
        try (Socket s = connect()) {
            s.setSoTimeout(20_000);
            // The client offers to send every 200 ms and wants one every 200 ms, then says nothing.
            s.getOutputStream().write(frame("CONNECT\naccept-version:1.2\nheart-beat:200,200\n\n"));
            String got = readAll(s);
            assertThat(got).startsWith("CONNECTED").contains("heart-beat:200,200");
            // After the CONNECTED frame's NUL: end-of-lines only, until the broker gave up on the silent client.
            String after = got.substring(got.indexOf('\0') + 1);
            assertThat(after).isNotEmpty().matches("\n+");
        }
    }

    @Test
    void shouldSurviveRandomAndMutatedFrames() throws IOException {
        List<byte[]> valid = Stream.of(
                "CONNECT\naccept-version:1.2\nhost:/\n\n",
                "SUBSCRIBE\nid:0\ndestination:/queue/fuzz\nack:client\n\n",
                "SEND\ndestination:/topic/fuzz\ncontent-length:3\n\nabc",
                "ACK\nid:x\n\n",
                "BEGIN\ntransaction:t\n\n",
                "SEND\ndestination:/queue/fuzz\ntransaction:t\n\nbody",
                "COMMIT\ntransaction:t\n\n").map(StompBadInputTest::frame).toList();
        new FuzzLoop(20261122).run(300, this::connect, valid.subList(0, 1), valid, 5, 300);
        assertStillServing();
    }
}
