package io.wharf.core.vhost;

import io.wharf.core.exchange.FieldValues;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headers a dead-lettered message carries, as RabbitMQ writes them: an {@code x-death} array
 * with one entry per (queue, reason), most recent first and counted, plus
 * {@code x-first-death-*} and {@code x-last-death-*}. The per-message expiration is removed (and
 * kept as {@code original-expiration}) so the message does not expire again on arrival.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    static Message deadLettered(Message m, String queue, String reason, String exchange, String routingKey, long now) {
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        List<Object> deaths = new ArrayList<>();
        Object existing = headers.get("x-death");
        if (existing instanceof List<?> list) {
            deaths.addAll(list);
        }
        Map<String, Object> entry = null;
        for (Object o : deaths) {
            if (o instanceof Map<?, ?> d && queue.equals(FieldValues.asString(d.get("queue")))
                    && reason.equals(FieldValues.asString(d.get("reason")))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> found = (Map<String, Object>) d;
                entry = found;
            }
        }
        Map<String, Object> updated = new LinkedHashMap<>();
        long count = 1;
        if (entry != null) {
            deaths.remove(entry);
            Long c = FieldValues.asLong(entry.get("count"));
            count = c == null ? 1 : c + 1;
        }
        updated.put("count", count);
        updated.put("reason", reason);
        updated.put("queue", queue);
        updated.put("time", Instant.ofEpochSecond(now / 1000));
        updated.put("exchange", m.exchange());
        updated.put("routing-keys", List.of(m.routingKey()));
        if (m.properties().expiration() != null) {
            updated.put("original-expiration", m.properties().expiration());
        }
        deaths.add(0, updated);
        headers.put("x-death", List.copyOf(deaths));
        headers.putIfAbsent("x-first-death-exchange", m.exchange());
        headers.putIfAbsent("x-first-death-queue", queue);
        headers.putIfAbsent("x-first-death-reason", reason);
        headers.put("x-last-death-exchange", m.exchange());
        headers.put("x-last-death-queue", queue);
        headers.put("x-last-death-reason", reason);
        MessageProperties p = m.properties().withHeaders(headers).withExpiration(null);
        return Message.of(exchange, routingKey, p, m.body(), now);
    }

    /**
     * Whether delivering a message dead-lettered for {@code reason} to {@code target} closes a
     * cycle: the message already died in that queue, and nothing on the way was a rejection by a
     * client. RabbitMQ drops such messages instead of circling them forever.
     */
    static boolean isCycle(Message deadLettered, String target, String reason) {
        if (reason.equals("rejected")) {
            return false;
        }
        Object deaths = deadLettered.headers().get("x-death");
        if (!(deaths instanceof List<?> list)) {
            return false;
        }
        boolean seen = false;
        for (Object o : list) {
            if (o instanceof Map<?, ?> d) {
                if ("rejected".equals(FieldValues.asString(d.get("reason")))) {
                    return false;
                }
                seen |= target.equals(FieldValues.asString(d.get("queue")));
            }
        }
        // The first entry is the death just recorded; a cycle needs the target among them.
        return seen;
    }
}
