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
 * that a node knows the others after a restart before they register again.
 *
 * <p>Threading: {@link #apply} is called by the cluster's metadata apply, one command at a time;
 * lookups from any thread see each registration once it is applied.
 */
public final class ClusterNodes {

    // Apart from every definition key (<kind>\0<vhost>\0...), from "vhost\0" and "user\0".
    private static final String PREFIX = "node\0";

    private final MetadataStore store;
    private final Map<String, NodeRegistration> nodes = new ConcurrentHashMap<>();

    public ClusterNodes(MetadataStore store) {
        this.store = store;
        for (byte[] v : store.scan(PREFIX).values()) {
            NodeRegistration r = decode(FieldTables.read(new WireReader(ByteBuffer.wrap(v))));
            nodes.put(r.id(), r);
        }
    }

    /** Records a registration agreed by the cluster; completes once stored. */
    public CompletableFuture<Void> apply(NodeRegistration registration) {
        nodes.put(registration.id(), registration);
        return store.put(PREFIX + registration.id(), FieldTables.encode(encode(registration)));
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
