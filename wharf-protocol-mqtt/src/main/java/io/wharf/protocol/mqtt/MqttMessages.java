package io.wharf.protocol.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MQTT publishes as broker messages and back, as RabbitMQ's MQTT plugin maps them: the topic is
 * the routing key on {@code amq.topic}, QoS 1 and 2 make a persistent message, and the MQTT 5
 * properties become AMQP properties and headers.
 */
final class MqttMessages {

    static final String EXCHANGE = "amq.topic";
    /** The QoS a message was published with. */
    static final String QOS_HEADER = "x-mqtt-publish-qos";
    /** Set on a message published with the retain flag, for subscribers that ask for it (retain as published). */
    static final String RETAIN_HEADER = "x-mqtt-retain";
    /** The client id of the MQTT publisher, for subscribers that do not want their own messages (no local). */
    static final String PUBLISHER_HEADER = "x-mqtt-publisher";
    /** Correlation data that is not UTF-8 text, or too long for the correlation-id property. */
    static final String CORRELATION_HEADER = "x-correlation-id";

    private MqttMessages() {
    }

    /** The message an MQTT publish becomes. */
    static Message toMessage(String topic, byte[] payload, int qos, boolean retain, MqttProperties props, String clientId,
                             long now) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(QOS_HEADER, qos);
        if (retain) {
            headers.put(RETAIN_HEADER, true);
        }
        headers.put(PUBLISHER_HEADER, clientId);
        MessageProperties.Builder b = MessageProperties.builder().deliveryMode(qos > 0 ? 2 : 1);
        if (props != null && !props.isEmpty()) {
            if (props.getProperty(MqttProperties.CONTENT_TYPE) instanceof MqttProperties.StringProperty ct) {
                b.contentType(ct.value());
            }
            if (props.getProperty(MqttProperties.RESPONSE_TOPIC) instanceof MqttProperties.StringProperty rt) {
                b.replyTo(MqttTopics.toRoutingKey(rt.value()));
            }
            if (props.getProperty(MqttProperties.CORRELATION_DATA) instanceof MqttProperties.BinaryProperty cd) {
                String text = utf8(cd.value());
                if (text != null && text.length() <= 255) {
                    b.correlationId(text);
                } else {
                    headers.put(CORRELATION_HEADER, cd.value());
                }
            }
            if (props.getProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL) instanceof MqttProperties.IntegerProperty ex) {
                b.expiration(Long.toString(Integer.toUnsignedLong(ex.value()) * 1000));
            }
            for (MqttProperties.MqttProperty<?> p : props.getProperties(MqttProperties.USER_PROPERTY)) {
                if (p instanceof MqttProperties.UserProperties ups) {
                    for (MqttProperties.StringPair pair : ups.value()) {
                        headers.put(pair.key, pair.value);
                    }
                } else if (p instanceof MqttProperties.UserProperty up) {
                    headers.put(up.value().key, up.value().value);
                }
            }
        }
        b.headers(headers);
        return Message.of(EXCHANGE, MqttTopics.toRoutingKey(topic), b.build(), payload, now);
    }

    /** The QoS a message was published with: its MQTT QoS, or 1 for a persistent AMQP message, else 0. */
    static int publishedQos(Message m) {
        Object q = m.headers().get(QOS_HEADER);
        if (q instanceof Number n) {
            return Math.max(0, Math.min(2, n.intValue()));
        }
        return m.persistent() ? 1 : 0;
    }

    static boolean publishedRetained(Message m) {
        return Boolean.TRUE.equals(m.headers().get(RETAIN_HEADER));
    }

    static String publisher(Message m) {
        Object p = m.headers().get(PUBLISHER_HEADER);
        return p == null ? null : p.toString();
    }

    /** The MQTT 5 properties a delivery of {@code m} carries. */
    static MqttProperties toProperties(Message m, long now) {
        MqttProperties out = new MqttProperties();
        MessageProperties p = m.properties();
        if (p.contentType() != null) {
            out.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, p.contentType()));
        }
        if (p.replyTo() != null) {
            out.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_TOPIC, MqttTopics.fromRoutingKey(p.replyTo())));
        }
        Object rawCorrelation = m.headers().get(CORRELATION_HEADER);
        if (rawCorrelation instanceof byte[] bytes) {
            out.add(new MqttProperties.BinaryProperty(MqttProperties.CORRELATION_DATA, bytes));
        } else if (p.correlationId() != null) {
            out.add(new MqttProperties.BinaryProperty(MqttProperties.CORRELATION_DATA,
                    p.correlationId().getBytes(StandardCharsets.UTF_8)));
        }
        if (p.expiration() != null) {
            try {
                long left = Long.parseLong(p.expiration()) - (now - m.arrivedAtMillis());
                out.add(new MqttProperties.IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL,
                        (int) Math.max(1, (left + 999) / 1000)));
            } catch (NumberFormatException ignored) {
                // checked at publish
            }
        }
        List<MqttProperties.StringPair> user = new java.util.ArrayList<>();
        m.headers().forEach((k, v) -> {
            if (!k.startsWith("x-mqtt-") && !k.equals(CORRELATION_HEADER) && v != null && !(v instanceof Map) && !(v instanceof List)) {
                user.add(new MqttProperties.StringPair(k, v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString()));
            }
        });
        if (!user.isEmpty()) {
            out.add(new MqttProperties.UserProperties(user));
        }
        return out;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
