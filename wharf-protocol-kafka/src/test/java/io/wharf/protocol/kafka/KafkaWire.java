package io.wharf.protocol.kafka;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * One Kafka connection spoken byte by byte, with kafka-clients' message classes for the bodies:
 * a test chooses the exact API version of every request, as clients in other languages do.
 */
final class KafkaWire implements AutoCloseable {

    private final Socket socket;
    private int correlation;

    KafkaWire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
    }

    Socket socket() {
        return socket;
    }

    /** A request as it goes on the wire, without its size prefix. */
    byte[] encode(ApiMessage request, short version) {
        return encode(request, version, ++correlation);
    }

    /** A request as it goes on the wire with the given correlation id, without its size prefix. */
    static byte[] encode(ApiMessage request, short version, int correlationId) {
        RequestHeader h = new RequestHeader(ApiKeys.forId(request.apiKey()), version, "wire-test", correlationId);
        ByteBuffer b = RequestUtils.serialize(h.data(), h.headerVersion(), request, version);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Sends {@code request} at {@code version} and returns the broker's answer, read at that version. */
    ApiMessage call(ApiMessage request, short version) throws IOException {
        int id = ++correlation;
        send(encode(request, version, id));
        RequestHeader h = new RequestHeader(ApiKeys.forId(request.apiKey()), version, "wire-test", id);
        return AbstractResponse.parseResponse(receive(), h).data();
    }

    void send(byte[] payload) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    ByteBuffer receive() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int size = in.readInt();
        byte[] b = new byte[size];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    /** Whether the broker closed the connection (rather than answering or waiting). */
    boolean closedByBroker() throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
