package io.wharf.core.message;

import io.wharf.storage.record.Header;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How a message is kept in a log record: the routing key as the key, the body as the value, the
 * arrival time as the timestamp, and two headers, {@code x-exchange} (the exchange it was
 * published to) and {@code x-properties} (its encoded properties, omitted when empty).
 */
public final class MessageRecords {

    public static final String EXCHANGE_HEADER = "x-exchange";
    public static final String PROPERTIES_HEADER = "x-properties";
    private static final byte[] NO_PROPERTIES = MessageProperties.EMPTY.encode();
    /**
     * Bodies of at least this many bytes go to the log straight from the message's own array
     * rather than being copied into the batch first; smaller ones cost less to copy than to track.
     */
    public static final int GATHERED_BODY_BYTES = 256;

    private MessageRecords() {
    }

    /**
     * A builder for one batch of {@code messages}, sized for them, that refers to their large
     * bodies instead of copying them: message bodies are never changed, so the log may write
     * them from where they are.
     */
    public static RecordBatchBuilder newBatch(Iterable<Message> messages) {
        int bytes = 64;
        for (Message m : messages) {
            bytes += estimatedSize(m) - m.bodySize() + copiedBodyBytes(m);
        }
        return new RecordBatchBuilder(bytes).gatherValuesFrom(GATHERED_BODY_BYTES);
    }

    /** The bytes of {@code m}'s body a batch built for it copies: all of a small body, none of a large one. */
    public static int copiedBodyBytes(Message m) {
        return m.bodySize() >= GATHERED_BODY_BYTES ? 0 : m.bodySize();
    }

    /** Adds {@code m} to a batch being built. */
    public static void append(RecordBatchBuilder batch, Message m) {
        List<Header> headers = new ArrayList<>(2);
        headers.add(new Header(EXCHANGE_HEADER, m.exchange().getBytes(StandardCharsets.UTF_8)));
        byte[] props = m.encodedProperties();
        if (props.length > NO_PROPERTIES.length || !java.util.Arrays.equals(props, NO_PROPERTIES)) {
            headers.add(new Header(PROPERTIES_HEADER, props));
        }
        batch.append(m.arrivedAtMillis(), ByteBuffer.wrap(m.routingKey().getBytes(StandardCharsets.UTF_8)),
                m.bodyBuffer(), headers);
    }

    /** The bytes a message adds to a batch, near enough for sizing batches. */
    public static int estimatedSize(Message m) {
        return m.bodySize() + m.encodedProperties().length + m.routingKey().length() + m.exchange().length() + 48;
    }

    /**
     * Reads a message back from its record.
     *
     * @throws MalformedDataException if the stored properties do not decode
     */
    public static Message read(Record r) {
        String exchange = "";
        byte[] props = NO_PROPERTIES;
        for (Header h : r.headers()) {
            if (h.key().equals(EXCHANGE_HEADER) && h.value() != null) {
                exchange = new String(h.value(), StandardCharsets.UTF_8);
            } else if (h.key().equals(PROPERTIES_HEADER) && h.value() != null) {
                props = h.value();
            }
        }
        byte[] key = r.keyBytes();
        byte[] body = r.valueBytes();
        MessageProperties properties = MessageProperties.read(new WireReader(ByteBuffer.wrap(props)));
        return Message.withEncodedProperties(exchange, key == null ? "" : new String(key, StandardCharsets.UTF_8),
                properties, props, body == null ? new byte[0] : body, r.timestamp());
    }
}
