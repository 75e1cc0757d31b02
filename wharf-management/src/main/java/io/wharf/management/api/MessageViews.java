package io.wharf.management.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.queue.Delivery;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.Json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Messages in and out of JSON, with RabbitMQ's names for their properties. */
final class MessageViews {

    static final Set<String> PROPERTIES = Set.of("content_type", "content_encoding", "headers", "delivery_mode",
            "priority", "correlation_id", "reply_to", "expiration", "message_id", "timestamp", "type", "user_id",
            "app_id", "cluster_id");

    private MessageViews() {
    }

    /** The {@code properties} object of a publish request. */
    static MessageProperties properties(JsonNode node, String prefix) {
        if (node == null || node.isNull()) {
            return MessageProperties.EMPTY;
        }
        String at = prefix + "properties.";
        if (!node.isObject()) {
            throw ApiException.badRequest(prefix + "properties", "'" + prefix + "properties' must be a JSON object");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!PROPERTIES.contains(f)) {
                throw ApiException.badRequest(at + f, "unknown message property '" + f + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(PROPERTIES)));
            }
        });
        MessageProperties.Builder b = MessageProperties.builder();
        b.contentType(text(node, at, "content_type"));
        b.contentEncoding(text(node, at, "content_encoding"));
        if (node.hasNonNull("headers")) {
            if (!node.get("headers").isObject()) {
                throw ApiException.badRequest(at + "headers", "'" + at + "headers' must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> headers = (Map<String, Object>) Json.toFieldValue(node.get("headers"));
            b.headers(headers);
        }
        b.deliveryMode(integer(node, at, "delivery_mode", 1, 2));
        b.priority(integer(node, at, "priority", 0, 255));
        b.correlationId(text(node, at, "correlation_id"));
        b.replyTo(text(node, at, "reply_to"));
        String expiration = node.hasNonNull("expiration") ? node.get("expiration").asText() : null;
        if (expiration != null && !expiration.matches("\\d{1,18}")) {
            throw ApiException.badRequest(at + "expiration", "'" + at + "expiration' must be a number of milliseconds");
        }
        b.expiration(expiration);
        b.messageId(text(node, at, "message_id"));
        if (node.hasNonNull("timestamp")) {
            if (!node.get("timestamp").canConvertToLong()) {
                throw ApiException.badRequest(at + "timestamp", "'" + at + "timestamp' must be seconds since the epoch");
            }
            b.timestamp(Instant.ofEpochSecond(node.get("timestamp").longValue()));
        }
        b.type(text(node, at, "type"));
        b.userId(text(node, at, "user_id"));
        b.appId(text(node, at, "app_id"));
        b.clusterId(text(node, at, "cluster_id"));
        return b.build();
    }

    private static String text(JsonNode node, String at, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw ApiException.badRequest(at + field, "'" + at + field + "' must be a string");
        }
        return v.asText();
    }

    private static Integer integer(JsonNode node, String at, String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw ApiException.badRequest(at + field, "'" + at + field + "' must be an integer from "
                    + min + " to " + max);
        }
        return v.intValue();
    }

    /** The properties as RabbitMQ's API shows them, leaving out the unset ones. */
    static Map<String, Object> properties(MessageProperties p) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "content_type", p.contentType());
        putIf(m, "content_encoding", p.contentEncoding());
        m.put("headers", Views.table(p.headers()));
        putIf(m, "delivery_mode", p.deliveryMode());
        putIf(m, "priority", p.priority());
        putIf(m, "correlation_id", p.correlationId());
        putIf(m, "reply_to", p.replyTo());
        putIf(m, "expiration", p.expiration());
        putIf(m, "message_id", p.messageId());
        putIf(m, "timestamp", p.timestamp() == null ? null : p.timestamp().getEpochSecond());
        putIf(m, "type", p.type());
        putIf(m, "user_id", p.userId());
        putIf(m, "app_id", p.appId());
        putIf(m, "cluster_id", p.clusterId());
        return m;
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** The body of a publish request, decoded as its {@code payload_encoding} says. */
    static byte[] payload(String payload, String encoding, String prefix) {
        return switch (encoding) {
            case "string" -> payload.getBytes(StandardCharsets.UTF_8);
            case "base64" -> {
                try {
                    yield Base64.getDecoder().decode(payload);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(prefix + "payload", "'" + prefix + "payload' is not valid base64: " + e.getMessage());
                }
            }
            default -> throw ApiException.badRequest(prefix + "payload_encoding", "'" + prefix + "payload_encoding' must be string or base64");
        };
    }

    /** One message as a get answers it. */
    static Map<String, Object> delivered(Delivery d, String encoding, int truncate) {
        Message m = d.message();
        byte[] body = m.body();
        byte[] shown = truncate >= 0 && body.length > truncate ? Arrays.copyOf(body, truncate) : body;
        String text = "auto".equals(encoding) ? utf8(shown) : null;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("payload", text != null ? text : Base64.getEncoder().encodeToString(shown));
        out.put("payload_bytes", body.length);
        out.put("payload_encoding", text != null ? "string" : "base64");
        out.put("redelivered", d.redelivered());
        out.put("exchange", m.exchange());
        out.put("routing_key", m.routingKey());
        out.put("message_count", d.remaining());
        out.put("properties", properties(m.properties()));
        return out;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
