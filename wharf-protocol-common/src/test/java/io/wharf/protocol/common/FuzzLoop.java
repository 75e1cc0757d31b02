package io.wharf.protocol.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The fuzz loop of every protocol's bad-input test: from one seed, frames that are random bytes
 * or valid frames with a few bytes changed and sometimes cut short, sent on connections that are
 * read until the broker closes them or falls silent. The test then checks that the broker still
 * serves; what it answered is not judged here.
 */
public final class FuzzLoop {

    /** Opens a connection to the endpoint under test. */
    public interface Connector {
        Socket connect() throws IOException;
    }

    private final long seed;
    private final Random random;

    public FuzzLoop(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** The seed, to name in a failure so the run can be repeated. */
    public long seed() {
        return seed;
    }

    /**
     * One frame: one time in {@code junkOdds} up to {@code maxJunk} random bytes, otherwise one
     * of {@code valid} with up to three bytes changed and, one time in four, cut short.
     */
    public byte[] frame(List<byte[]> valid, int junkOdds, int maxJunk) {
        return random.nextInt(junkOdds) == 0 ? junk(maxJunk) : mutated(valid);
    }

    /** One of {@code valid} with up to three bytes changed and, one time in four, cut short. */
    private byte[] mutated(List<byte[]> valid) {
        byte[] f = valid.get(random.nextInt(valid.size())).clone();
        for (int flips = random.nextInt(4); flips > 0; flips--) {
            f[random.nextInt(f.length)] = (byte) random.nextInt(256);
        }
        return random.nextInt(4) == 0 && f.length > 1 ? Arrays.copyOf(f, random.nextInt(f.length)) : f;
    }

    /**
     * Opens {@code connections} connections one after another. On each it sends one of
     * {@code openings} as it is, then up to {@code maxFrames} {@link #frame}s, or (one time in
     * four) only random bytes; then reads until the broker closes the connection or is silent for
     * 100 ms.
     */
    public void run(int connections, Connector connector, List<byte[]> openings, List<byte[]> valid, int maxFrames,
                    int maxJunk) throws IOException {
        for (int i = 0; i < connections; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (random.nextInt(4) == 0) {
                out.writeBytes(junk(maxJunk));
            } else {
                out.writeBytes(openings.get(random.nextInt(openings.size())));
                for (int k = 0, n = 1 + random.nextInt(maxFrames); k < n; k++) {
                    out.writeBytes(mutated(valid));
                }
            }
            try (Socket s = connector.connect()) {
                s.setSoTimeout(100);
                s.getOutputStream().write(out.toByteArray());
                readUntilClosedOrSilent(s);
            } catch (SocketException ignored) {
                // the broker may close before everything was sent
            }
        }
    }

    private byte[] junk(int maxBytes) {
        byte[] junk = new byte[1 + random.nextInt(maxBytes)];
        random.nextBytes(junk);
        return junk;
    }

    private static void readUntilClosedOrSilent(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // answers are not judged here
            }
        } catch (SocketException | SocketTimeoutException resetOrSilent) {
            // the broker reset the connection, or is waiting for more
        }
    }
}
