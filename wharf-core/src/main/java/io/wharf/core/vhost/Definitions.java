package io.wharf.core.vhost;

import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.message.FieldTables;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.storage.metadata.MetadataStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
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
        return store.put(prefix("exchange") + d.name(), FieldTables.encode(DefinitionTables.of(d)));
    }

    CompletableFuture<Void> deleteExchange(String name, List<Binding> bindingsToo) {
        List<MetadataStore.Mutation> ms = new ArrayList<>();
        ms.add(MetadataStore.Mutation.delete(prefix("exchange") + name));
        bindingsToo.forEach(b -> ms.add(MetadataStore.Mutation.delete(bindingKey(b))));
        return store.apply(ms);
    }

    CompletableFuture<Void> putQueue(QueueDefinition d) {
        return store.put(prefix("queue") + d.name(), FieldTables.encode(DefinitionTables.of(d)));
    }

    CompletableFuture<Void> deleteQueue(String name, List<Binding> bindingsToo) {
        List<MetadataStore.Mutation> ms = new ArrayList<>();
        ms.add(MetadataStore.Mutation.delete(prefix("queue") + name));
        bindingsToo.forEach(b -> ms.add(MetadataStore.Mutation.delete(bindingKey(b))));
        return store.apply(ms);
    }

    CompletableFuture<Void> putBinding(Binding b) {
        return store.put(bindingKey(b), FieldTables.encode(DefinitionTables.of(b)));
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
        return store.put(prefix("stream") + d.name(), FieldTables.encode(DefinitionTables.of(d)));
    }

    CompletableFuture<Void> deleteStream(String name) {
        return store.delete(prefix("stream") + name);
    }

    List<StreamDefinition> streams() {
        List<StreamDefinition> out = new ArrayList<>();
        for (byte[] v : store.scan(prefix("stream")).values()) {
            Map<String, Object> m = DefinitionTables.decode(v);
            // A stream stored before streams had ids gets one derived from its vhost and name, the same at every start.
            String name = DefinitionTables.str(m, "name");
            out.add(DefinitionTables.stream(m, () -> UUID.nameUUIDFromBytes(
                    (vhost + "\u0000stream\u0000" + name).getBytes(StandardCharsets.UTF_8))));
        }
        return out;
    }

    List<ExchangeDefinition> exchanges() {
        return store.scan(prefix("exchange")).values().stream().map(v -> DefinitionTables.exchange(DefinitionTables.decode(v))).toList();
    }

    List<QueueDefinition> queues() {
        return store.scan(prefix("queue")).values().stream().map(v -> DefinitionTables.queue(DefinitionTables.decode(v))).toList();
    }

    List<Binding> bindings() {
        return store.scan(prefix("binding")).values().stream().map(v -> DefinitionTables.binding(DefinitionTables.decode(v))).toList();
    }
}
