package io.wharf.core.vhost;

import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.WireReader;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.StreamDefinition;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Definitions as field tables (AMQP's typed maps), the form they take in the metadata store and
 * in commands sent to other nodes: new fields can be added without breaking what was written
 * before. Stateless.
 */
final class DefinitionTables {

    private DefinitionTables() {
    }

    static Map<String, Object> of(ExchangeDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("type", d.type());
        m.put("durable", d.durable());
        m.put("auto_delete", d.autoDelete());
        m.put("internal", d.internal());
        m.put("arguments", d.arguments());
        return m;
    }

    static ExchangeDefinition exchange(Map<String, Object> m) {
        return new ExchangeDefinition(str(m, "name"), str(m, "type"), bool(m, "durable"), bool(m, "auto_delete"),
                bool(m, "internal"), table(m, "arguments"));
    }

    static Map<String, Object> of(QueueDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("durable", d.durable());
        m.put("auto_delete", d.autoDelete());
        m.put("arguments", d.arguments());
        if (d.exclusive()) {
            m.put("exclusive", true);
        }
        return m;
    }

    /** A queue; one stored before queues recorded {@code durable} (all stored ones were) is durable. */
    static QueueDefinition queue(Map<String, Object> m) {
        boolean durable = !m.containsKey("durable") || bool(m, "durable");
        return new QueueDefinition(str(m, "name"), durable, bool(m, "exclusive"), bool(m, "auto_delete"), table(m, "arguments"));
    }

    static Map<String, Object> of(Binding b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", b.source());
        m.put("destination_type", b.toExchange() ? "exchange" : "queue");
        m.put("destination", b.destination());
        m.put("routing_key", b.routingKey());
        m.put("arguments", b.arguments());
        return m;
    }

    static Binding binding(Map<String, Object> m) {
        return new Binding(str(m, "source"), "exchange".equals(str(m, "destination_type")), str(m, "destination"),
                str(m, "routing_key"), table(m, "arguments"));
    }

    static Map<String, Object> of(StreamDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("partitions", d.partitions());
        m.put("configs", new LinkedHashMap<String, Object>(d.configs()));
        m.put("id", d.id().toString());
        return m;
    }

    /** A stream; {@code legacyId} gives the id of one stored before streams had ids. */
    static StreamDefinition stream(Map<String, Object> m, Supplier<UUID> legacyId) {
        String id = str(m, "id");
        UUID uuid = id == null ? legacyId.get() : UUID.fromString(id);
        return new StreamDefinition(str(m, "name"), integer(m, "partitions"), strings(m, "configs"), uuid);
    }

    static Map<String, Object> decode(byte[] v) {
        return FieldTables.read(new WireReader(ByteBuffer.wrap(v)));
    }

    static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) v;
    }

    static boolean bool(Map<String, Object> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }

    static int integer(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).intValue();
    }

    /** A table of strings, such as a stream's configs. */
    static Map<String, String> strings(Map<String, Object> m, String k) {
        Map<String, String> out = new LinkedHashMap<>();
        table(m, k).forEach((key, value) -> out.put(key, value instanceof byte[] b
                ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> table(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }
}
