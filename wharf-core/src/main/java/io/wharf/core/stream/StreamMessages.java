package io.wharf.core.stream;

import io.wharf.core.exchange.FieldValues;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.message.MessageRecords;
import io.wharf.storage.record.CheckedBatch;
import io.wharf.storage.record.Header;
import io.wharf.core.message.WireReader;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a stream record (as a Kafka producer wrote it) reads as an AMQP message: the value is the
 * body, the key the routing key, each record header an AMQP header (a string when its bytes are
 * UTF-8, bytes otherwise), the timestamp the {@code timestamp} property, and the record's offset
 * the {@code x-stream-offset} header, as RabbitMQ streams deliver it.
 *
 * <p>An AMQP message published to a stream becomes a record with its routing key as key, the body
 * as value, each AMQP header as a record header (its text in UTF-8), the exchange it was published
 * to in the {@code x-exchange} header and the encoded AMQP properties in {@code x-amqp-properties},
 * so that an AMQP consumer gets it back as it was published.
 */
public final class StreamMessages {

    public static final String OFFSET_HEADER = "x-stream-offset";
    public static final String PROPERTIES_HEADER = "x-amqp-properties";
    public static final String EXCHANGE_HEADER = "x-exchange";

    private StreamMessages() {
    }

    public static Message toMessage(Record r) {
        Map<String, Object> headers = new LinkedHashMap<>();
        MessageProperties published = null;
        String exchange = "";
        for (Header h : r.headers()) {
            if (h.key().equals(PROPERTIES_HEADER) && h.value() != null) {
                published = MessageProperties.read(new WireReader(ByteBuffer.wrap(h.value())));
            } else if (h.key().equals(EXCHANGE_HEADER) && h.value() != null) {
                exchange = new String(h.value(), StandardCharsets.UTF_8);
            } else {
                headers.put(h.key(), h.value() == null ? null : textOrBytes(h.value()));
            }
        }
        MessageProperties props;
        if (published != null) {
            Map<String, Object> own = new LinkedHashMap<>(published.headers() == null ? Map.of() : published.headers());
            own.put(OFFSET_HEADER, r.offset());
            props = published.withHeaders(own);
        } else {
            headers.put(OFFSET_HEADER, r.offset());
            props = MessageProperties.builder()
                    .headers(headers)
                    .timestamp(r.timestamp() >= 0 ? Instant.ofEpochSecond(r.timestamp() / 1000) : null)
                    .build();
        }
        byte[] key = r.keyBytes();
        byte[] value = r.valueBytes();
        Object routingKey = key == null ? "" : textOrBytes(key);
        return Message.of(published != null ? exchange : "", routingKey instanceof String s ? s : "", props,
                value == null ? new byte[0] : value, r.timestamp());
    }

    /** The record an AMQP message published to a stream is stored as: one batch of one record. */
    public static CheckedBatch toBatch(Message m) {
        List<Header> headers = new ArrayList<>();
        Map<String, Object> amqpHeaders = m.properties().headers();
        if (amqpHeaders != null) {
            amqpHeaders.forEach((k, v) -> {
                String text = FieldValues.asString(v);
                if (text == null && v != null) {
                    text = String.valueOf(v);
                }
                headers.add(new Header(k, text == null ? null : text.getBytes(StandardCharsets.UTF_8)));
            });
        }
        headers.add(new Header(EXCHANGE_HEADER, m.exchange().getBytes(StandardCharsets.UTF_8)));
        headers.add(new Header(PROPERTIES_HEADER, m.encodedProperties()));
        byte[] key = m.routingKey().getBytes(StandardCharsets.UTF_8);
        RecordBatchBuilder b = new RecordBatchBuilder(MessageRecords.copiedBodyBytes(m) + m.encodedProperties().length
                + key.length + 160).gatherValuesFrom(MessageRecords.GATHERED_BODY_BYTES);
        b.append(m.arrivedAtMillis(), ByteBuffer.wrap(key), m.bodyBuffer(), headers);
        return b.buildChecked();
    }

    private static Object textOrBytes(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException notText) {
            return b;
        }
    }
}
