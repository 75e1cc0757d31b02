package io.wharf.it.stomp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * STOMP frames over a plain socket, for tests: no STOMP client library for Java covers the
 * versions, acknowledgement modes and bad input the tests need, so they write the frames.
 */
public final class StompTestClient implements AutoCloseable {

    /** A received frame. */
    public record Frame(String command, Map<String, String> headers, byte[] body) {

        public String header(String name) {
            return headers.get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final java.util.ArrayDeque<Frame> early = new java.util.ArrayDeque<>();
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public StompTestClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Connects with STOMP 1.2 as the default user and returns the CONNECTED frame. */
    static StompTestClient connected(int port) throws IOException {
        StompTestClient c = new StompTestClient(port);
        Frame f = c.request("CONNECT", Map.of("accept-version", "1.2", "host", "/"), null);
        if (!f.command().equals("CONNECTED")) {
            throw new IOException("not connected: " + f);
        }
        return c;
    }

    void send(String command, Map<String, String> headers, byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((command + "\n").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            b.writeBytes((h.getKey() + ":" + h.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (body != null) {
            b.writeBytes(("content-length:" + body.length + "\n").getBytes(StandardCharsets.UTF_8));
        }
        b.write('\n');
        if (body != null) {
            b.writeBytes(body);
        }
        b.write(0);
        out.write(b.toByteArray());
        out.flush();
    }

    public void send(String command, Map<String, String> headers, String body) throws IOException {
        send(command, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a frame and reads the next one. */
    public Frame request(String command, Map<String, String> headers, String body) throws IOException {
        send(command, headers, body);
        return read();
    }

    /** Sends a frame with a receipt header and reads until its RECEIPT (or an ERROR). */
    Frame withReceipt(String command, Map<String, String> headers, String body) throws IOException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("receipt", "r-" + System.nanoTime());
        send(command, h, body);
        while (true) {
            Frame f = readFromSocket();
            if (f.command().equals("ERROR") || (f.command().equals("RECEIPT") && h.get("receipt").equals(f.header("receipt-id")))) {
                return f;
            }
            // A frame that came before the receipt (a delivery) is kept for the next read.
            early.add(f);
        }
    }

    /** The next frame, skipping heart-beats; fails on a closed connection. */
    public Frame read() throws IOException {
        return early.isEmpty() ? readFromSocket() : early.poll();
    }

    private Frame readFromSocket() throws IOException {
        int c;
        do {
            c = in.read();
        } while (c == '\n' || c == '\r');
        if (c < 0) {
            throw new IOException("connection closed");
        }
        String command = (char) c + line();
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while (!(l = line()).isEmpty()) {
            int colon = l.indexOf(':');
            headers.putIfAbsent(l.substring(0, colon), l.substring(colon + 1));
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            if (in.read() != 0) {
                throw new IOException("frame does not end with NUL");
            }
        } else {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while ((c = in.read()) > 0) {
                b.write(c);
            }
            body = b.toByteArray();
        }
        return new Frame(command, headers, body);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** Whether the broker closed the connection (after an ERROR, for instance). */
    public boolean closedByBroker() throws IOException {
        try {
            int c;
            while ((c = in.read()) >= 0) {
                if (c == 0) {
                    continue;
                }
            }
            return true;
        } catch (java.net.SocketException reset) {
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }

    /** The client's own port, which names its connection on the broker. */
    public int localPort() {
        return socket.getLocalPort();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
