package io.wharf.management.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.connection.ClientConnections;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client connections by protocol, and the frames each protocol refused by the error it answered
 * with. A protocol gets its meters once it has accepted its first connection and keeps them, at
 * zero open connections if need be, so a graph of it does not break off.
 *
 * <p>Not thread-safe: {@link BrokerMetrics} serialises {@link #refresh()}.
 */
final class ConnectionMeters {

    private final ClientConnections connections;
    private final MeterSet<ClientConnections> protocols;
    private final MeterSet<ClientConnections> rejections;

    ConnectionMeters(ClientConnections connections, MeterRegistry registry) {
        this.connections = connections;
        this.protocols = new MeterSet<>(registry, (tags, c) -> {
            String protocol = MeterSet.tag(tags, "protocol");
            return List.of(
                    Gauge.builder("wharf.connections", c, all -> open(all, protocol))
                            .description("Open client connections").tags(tags).register(registry),
                    FunctionCounter.builder("wharf.connections.opened", c,
                                    all -> all.openedTotals().getOrDefault(protocol, 0L))
                            .description("Client connections accepted").tags(tags).register(registry));
        });
        this.rejections = new MeterSet<>(registry, (tags, c) -> {
            ClientConnections.Rejection key = new ClientConnections.Rejection(MeterSet.tag(tags, "protocol"), MeterSet.tag(tags, "error"));
            return List.of(FunctionCounter.builder("wharf.frames.rejected", c,
                            all -> all.rejections().getOrDefault(key, 0L))
                    .description("Frames a protocol refused, by the error it answered with")
                    .tags(tags).register(registry));
        });
    }

    /** Registers meters for protocols and kinds of refusal seen for the first time. */
    boolean refresh() {
        Map<Tags, ClientConnections> seen = new HashMap<>();
        connections.openedTotals().keySet().forEach(p -> seen.put(Tags.of("protocol", p), connections));
        connections.all().forEach(c -> seen.put(Tags.of("protocol", c.protocol()), connections));
        Map<Tags, ClientConnections> refused = new HashMap<>();
        connections.rejections().keySet().forEach(r ->
                refused.put(Tags.of("protocol", r.protocol(), "error", r.error()), connections));
        boolean changed = protocols.sync(seen);
        return rejections.sync(refused) || changed;
    }

    void clear() {
        protocols.clear();
        rejections.clear();
    }

    private static long open(ClientConnections all, String protocol) {
        long n = 0;
        for (ClientConnection c : all.all()) {
            if (c.protocol().equals(protocol)) {
                n++;
            }
        }
        return n;
    }
}
