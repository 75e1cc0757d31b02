package io.wharf.core.vhost;

import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.WireReader;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.storage.metadata.MetadataStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Durable exchanges, queues, bindings and streams of one virtual host in the metadata store. Keys are
 * {@code <kind>\0<vhost>\0<name...>}; values are field tables, so new fields can be added later.
 */
final class Definitions {

    private static final char SEP = '\0';

    private final MetadataStore store;
    private final String vhost;

    Definitions(MetadataStore store, String vhost) {
        this.store = store;
        this.vhost = vhost;
    }

    private String prefix(String kind) {
        return kind + SEP + vhost + SEP;
    }

    CompletableFuture<Void> putExchange(ExchangeDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("type", d.type());
        m.put("durable", d.durable());
        m.put("auto_delete", d.autoDelete());
        m.put("internal", d.internal());
        m.put("arguments", d.arguments());
        return store.put(prefix("exchange") + d.name(), FieldTables.encode(m));
    }

    CompletableFuture<Void> deleteExchange(String name, List<Binding> bindingsToo) {
        List<MetadataStore.Mutation> ms = new ArrayList<>();
        ms.add(MetadataStore.Mutation.delete(prefix("exchange") + name));
        bindingsToo.forEach(b -> ms.add(MetadataStore.Mutation.delete(bindingKey(b))));
        return store.apply(ms);
    }

    CompletableFuture<Void> putQueue(QueueDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("durable", d.durable());
        m.put("auto_delete", d.autoDelete());
        m.put("arguments", d.arguments());
        return store.put(prefix("queue") + d.name(), FieldTables.encode(m));
    }

    CompletableFuture<Void> deleteQueue(String name, List<Binding> bindingsToo) {
        List<MetadataStore.Mutation> ms = new ArrayList<>();
        ms.add(MetadataStore.Mutation.delete(prefix("queue") + name));
        bindingsToo.forEach(b -> ms.add(MetadataStore.Mutation.delete(bindingKey(b))));
        return store.apply(ms);
    }

    CompletableFuture<Void> putBinding(Binding b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", b.source());
        m.put("destination_type", b.toExchange() ? "exchange" : "queue");
        m.put("destination", b.destination());
        m.put("routing_key", b.routingKey());
        m.put("arguments", b.arguments());
        return store.put(bindingKey(b), FieldTables.encode(m));
    }

    CompletableFuture<Void> deleteBinding(Binding b) {
        return store.delete(bindingKey(b));
    }

    private String bindingKey(Binding b) {
        return prefix("binding") + b.source() + SEP + (b.toExchange() ? 'e' : 'q') + SEP + b.destination() + SEP
                + b.routingKey() + SEP + argumentsDigest(b.arguments());
    }

    private static String argumentsDigest(Map<String, Object> args) {
        if (args.isEmpty()) {
            return "";
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(FieldTables.encode(new java.util.TreeMap<>(args)));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    CompletableFuture<Void> putStream(StreamDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("partitions", d.partitions());
        m.put("configs", new LinkedHashMap<String, Object>(d.configs()));
        m.put("id", d.id().toString());
        return store.put(prefix("stream") + d.name(), FieldTables.encode(m));
    }

    CompletableFuture<Void> deleteStream(String name) {
        return store.delete(prefix("stream") + name);
    }

    List<StreamDefinition> streams() {
        List<StreamDefinition> out = new ArrayList<>();
        for (byte[] v : store.scan(prefix("stream")).values()) {
            Map<String, Object> m = decode(v);
            Map<String, String> configs = new LinkedHashMap<>();
            table(m, "configs").forEach((k, value) -> configs.put(k, value instanceof byte[] b
                    ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value)));
            String name = str(m, "name");
            out.add(new StreamDefinition(name, ((Number) m.get("partitions")).intValue(), configs, streamId(m, name)));
        }
        return out;
    }

    /**
     * The stream's stored id; a stream stored before streams had ids gets one derived from its
     * virtual host and name, the same at every start.
     */
    private UUID streamId(Map<String, Object> m, String name) {
        Object id = m.get("id");
        if (id == null) {
            return UUID.nameUUIDFromBytes((vhost + "\u0000stream\u0000" + name).getBytes(StandardCharsets.UTF_8));
        }
        return UUID.fromString(id instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : id.toString());
    }

    List<ExchangeDefinition> exchanges() {
        List<ExchangeDefinition> out = new ArrayList<>();
        for (byte[] v : store.scan(prefix("exchange")).values()) {
            Map<String, Object> m = decode(v);
            out.add(new ExchangeDefinition(str(m, "name"), str(m, "type"), bool(m, "durable"), bool(m, "auto_delete"),
                    bool(m, "internal"), table(m, "arguments")));
        }
        return out;
    }

    List<QueueDefinition> queues() {
        List<QueueDefinition> out = new ArrayList<>();
        for (byte[] v : store.scan(prefix("queue")).values()) {
            Map<String, Object> m = decode(v);
            out.add(new QueueDefinition(str(m, "name"), true, false, bool(m, "auto_delete"), table(m, "arguments")));
        }
        return out;
    }

    List<Binding> bindings() {
        List<Binding> out = new ArrayList<>();
        for (byte[] v : store.scan(prefix("binding")).values()) {
            Map<String, Object> m = decode(v);
            out.add(new Binding(str(m, "source"), "exchange".equals(str(m, "destination_type")), str(m, "destination"),
                    str(m, "routing_key"), table(m, "arguments")));
        }
        return out;
    }

    private static Map<String, Object> decode(byte[] v) {
        return FieldTables.read(new WireReader(ByteBuffer.wrap(v)));
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) v;
    }

    private static boolean bool(Map<String, Object> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }
}
