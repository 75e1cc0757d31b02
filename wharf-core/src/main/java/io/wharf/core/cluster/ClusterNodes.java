package io.wharf.core.cluster;

import io.wharf.core.message.FieldTables;
import io.wharf.core.message.WireReader;
import io.wharf.storage.metadata.MetadataStore;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes of this broker's cluster as they registered themselves, kept in the metadata store so
 * that a node knows the others after a restart before they register again. Each node is given a
 * number when it first registers, the next free one from 1, which Kafka clients know it by: every
 * node applies the registrations in the same order, so every node gives the same numbers.
 *
 * <p>Threading: {@link #apply} is called by the cluster's metadata apply, one command at a time;
 * lookups from any thread see each registration once it is applied.
 */
public final class ClusterNodes {

    // Apart from every definition key (<kind>\0<vhost>\0...), from "vhost\0" and "user\0".
    private static final String PREFIX = "node\0";

    private final MetadataStore store;
    private final Map<String, NodeRegistration> nodes = new ConcurrentHashMap<>();
    private final Map<String, Integer> brokerIds = new ConcurrentHashMap<>();

    public ClusterNodes(MetadataStore store) {
        this.store = store;
        for (byte[] v : store.scan(PREFIX).values()) {
            Map<String, Object> stored = FieldTables.read(new WireReader(ByteBuffer.wrap(v)));
            NodeRegistration r = decode(stored);
            nodes.put(r.id(), r);
            if (stored.get(BROKER_ID) instanceof Number n) {
                brokerIds.put(r.id(), n.intValue());
            }
        }
    }

    private static final String BROKER_ID = "broker-id";

    /** Records a registration agreed by the cluster; completes once stored. */
    public CompletableFuture<Void> apply(NodeRegistration registration) {
        int brokerId = brokerIds.computeIfAbsent(registration.id(),
                id -> brokerIds.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
        nodes.put(registration.id(), registration);
        Map<String, Object> stored = encode(registration);
        stored.put(BROKER_ID, brokerId);
        return store.put(PREFIX + registration.id(), FieldTables.encode(stored));
    }

    /** The number Kafka clients know node {@code id} by, once it has registered. */
    public java.util.OptionalInt brokerId(String id) {
        Integer n = brokerIds.get(id);
        return n == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(n);
    }

    /** Every node registered so far, by id. */
    public Map<String, NodeRegistration> all() {
        return Map.copyOf(nodes);
    }

    public Optional<NodeRegistration> get(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    /** A registration as a field table, as the store and the cluster's metadata log carry it. */
    public static Map<String, Object> encode(NodeRegistration r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("host", r.host());
        m.put("version", r.version());
        m.put("listeners", new LinkedHashMap<String, Object>(r.listeners()));
        return m;
    }

    @SuppressWarnings("unchecked")
    public static NodeRegistration decode(Map<String, Object> m) {
        Map<String, Integer> listeners = new LinkedHashMap<>();
        ((Map<String, Object>) m.get("listeners")).forEach((name, port) -> listeners.put(name, ((Number) port).intValue()));
        return new NodeRegistration(FieldTables.text(m.get("id")), FieldTables.text(m.get("host")), listeners, FieldTables.text(m.get("version")));
    }
}
