package io.wharf.protocol.stomp;

import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * STOMP frame headers as message properties and back, as RabbitMQ's STOMP plugin maps them:
 * the standard headers become AMQP properties, the others AMQP headers.
 */
final class StompMessages {

    /** Headers that steer the frame and are not carried with the message. */
    private static final Set<String> FRAME_HEADERS = Set.of("destination", "receipt", "transaction", "content-length",
            "message-id", "subscription", "ack", "redelivered");

    private StompMessages() {
    }

    /** The properties a SEND's headers give its message; {@code replyTo} replaces the reply-to header when set. */
    static MessageProperties properties(Map<String, String> headers, String replyTo) {
        MessageProperties.Builder b = MessageProperties.builder();
        Map<String, Object> custom = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            switch (k) {
                case "content-type" -> b.contentType(v);
                case "content-encoding" -> b.contentEncoding(v);
                case "persistent" -> b.deliveryMode("true".equalsIgnoreCase(v) ? 2 : 1);
                case "priority" -> b.priority(parseInt(k, v));
                case "correlation-id" -> b.correlationId(v);
                case "reply-to" -> b.replyTo(replyTo != null ? replyTo : v);
                case "expiration" -> b.expiration(v);
                case "amqp-message-id" -> b.messageId(v);
                case "timestamp" -> b.timestamp(Instant.ofEpochSecond(parseLong(k, v)));
                case "type" -> b.type(v);
                case "user-id" -> b.userId(v);
                case "app-id" -> b.appId(v);
                default -> {
                    if (!FRAME_HEADERS.contains(k)) {
                        custom.put(k, v);
                    }
                }
            }
        });
        if (!custom.isEmpty()) {
            b.headers(custom);
        }
        return b.build();
    }

    /** The headers a MESSAGE frame carries for {@code m}, after the frame's own. */
    static Map<String, String> headers(Message m) {
        Map<String, String> out = new LinkedHashMap<>();
        MessageProperties p = m.properties();
        if (p.contentType() != null) {
            out.put("content-type", p.contentType());
        }
        if (p.contentEncoding() != null) {
            out.put("content-encoding", p.contentEncoding());
        }
        out.put("persistent", Boolean.toString(m.persistent()));
        if (p.priority() != null) {
            out.put("priority", p.priority().toString());
        }
        if (p.correlationId() != null) {
            out.put("correlation-id", p.correlationId());
        }
        if (p.replyTo() != null) {
            out.put("reply-to", p.replyTo());
        }
        if (p.expiration() != null) {
            out.put("expiration", p.expiration());
        }
        if (p.messageId() != null) {
            out.put("amqp-message-id", p.messageId());
        }
        if (p.timestamp() != null) {
            out.put("timestamp", Long.toString(p.timestamp().getEpochSecond()));
        }
        if (p.type() != null) {
            out.put("type", p.type());
        }
        if (p.userId() != null) {
            out.put("user-id", p.userId());
        }
        if (p.appId() != null) {
            out.put("app-id", p.appId());
        }
        m.headers().forEach((k, v) -> {
            if (v != null && !out.containsKey(k) && !FRAME_HEADERS.contains(k) && !(v instanceof Map) && !(v instanceof java.util.List)) {
                out.put(k, v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString());
            }
        });
        return out;
    }

    private static int parseInt(String k, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw io.wharf.core.BrokerException.preconditionFailed("header " + k + " must be a number, got '" + v + "'");
        }
    }

    private static long parseLong(String k, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw io.wharf.core.BrokerException.preconditionFailed("header " + k + " must be a number, got '" + v + "'");
        }
    }
}
