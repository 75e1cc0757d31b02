package io.wharf.core.stream;

import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.storage.record.Header;
import io.wharf.storage.record.Record;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a stream record (as a Kafka producer wrote it) reads as an AMQP message: the value is the
 * body, the key the routing key, each record header an AMQP header (a string when its bytes are
 * UTF-8, bytes otherwise), the timestamp the {@code timestamp} property, and the record's offset
 * the {@code x-stream-offset} header, as RabbitMQ streams deliver it.
 */
public final class StreamMessages {

    public static final String OFFSET_HEADER = "x-stream-offset";

    private StreamMessages() {
    }

    public static Message toMessage(Record r) {
        Map<String, Object> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : textOrBytes(h.value()));
        }
        headers.put(OFFSET_HEADER, r.offset());
        MessageProperties props = MessageProperties.builder()
                .headers(headers)
                .timestamp(r.timestamp() >= 0 ? Instant.ofEpochSecond(r.timestamp() / 1000) : null)
                .build();
        byte[] key = r.keyBytes();
        byte[] value = r.valueBytes();
        Object routingKey = key == null ? "" : textOrBytes(key);
        return Message.of("", routingKey instanceof String s ? s : "", props, value == null ? new byte[0] : value,
                r.timestamp());
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
