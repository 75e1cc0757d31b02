package io.wharf.it.amqp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wharf.protocol.amqp.codec.ChannelMethod;
import io.wharf.protocol.amqp.codec.ConnectionMethod;
import io.wharf.protocol.amqp.codec.Frames;
import io.wharf.protocol.amqp.codec.Method;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A bare AMQP client over a socket, for sending what real clients never would: broken frames,
 * methods out of place, unknown ids. Frames it reads back are parsed just enough to check reply codes.
 */
final class RawAmqp implements AutoCloseable {

    /** A frame read from the broker. */
    record RawFrame(int type, int channel, byte[] payload) {
        int classId() {
            return ByteBuffer.wrap(payload).getShort(0) & 0xFFFF;
        }

        int methodId() {
            return ByteBuffer.wrap(payload).getShort(2) & 0xFFFF;
        }

        /** For connection.close and channel.close: the reply code. */
        int replyCode() {
            return ByteBuffer.wrap(payload).getShort(4) & 0xFFFF;
        }

        String replyText() {
            int len = payload[6] & 0xFF;
            return new String(payload, 7, len, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawAmqp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendHeader() throws IOException {
        sendBytes(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
    }

    void send(int channel, Method m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        Frames.writeMethod(b, channel, m);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        sendBytes(bytes);
    }

    /** A frame of any type with the given raw payload and frame-end byte. */
    void sendFrame(int type, int channel, byte[] payload, int frameEnd) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.put((byte) type).putShort((short) channel).putInt(payload.length).put(payload).put((byte) frameEnd);
        sendBytes(b.array());
    }

    static byte[] methodPayload(int classId, int methodId, byte[] args) {
        return ByteBuffer.allocate(4 + args.length).putShort((short) classId).putShort((short) methodId).put(args).array();
    }

    RawFrame read() throws IOException {
        int type = in.readUnsignedByte();
        int channel = in.readUnsignedShort();
        int size = in.readInt();
        byte[] payload = new byte[size];
        in.readFully(payload);
        int end = in.readUnsignedByte();
        if (end != 0xCE) {
            throw new IOException("the broker sent a frame without its end byte");
        }
        return new RawFrame(type, channel, payload);
    }

    /** Reads frames until a method of the given class and id arrives (heartbeats skipped). */
    RawFrame readMethod(int classId, int methodId) throws IOException {
        while (true) {
            RawFrame f = read();
            if (f.type() == 1 && f.classId() == classId && f.methodId() == methodId) {
                return f;
            }
        }
    }

    byte[] readExactly(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Whether the broker closed the socket (reading gives end of stream). */
    boolean closedByBroker() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what the broker sent before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        }
    }

    /** Runs the handshake as guest/guest on vhost "/" and opens channel 1. */
    RawAmqp open() throws IOException {
        sendHeader();
        readMethod(10, 10);
        send(0, new ConnectionMethod.StartOk(Map.of(), "PLAIN", "\0guest\0guest".getBytes(StandardCharsets.UTF_8), "en_US"));
        readMethod(10, 30);
        send(0, new ConnectionMethod.TuneOk(2047, 0, 0));
        send(0, new ConnectionMethod.Open("/", "", false));
        readMethod(10, 41);
        send(1, new ChannelMethod.Open(""));
        readMethod(20, 11);
        return this;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
