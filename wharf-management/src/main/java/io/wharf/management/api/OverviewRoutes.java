package io.wharf.management.api;

import io.wharf.core.WharfVersion;
import io.wharf.core.Broker;
import io.wharf.core.Lifecycle;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.queue.Queue;
import io.wharf.core.stats.MessageStats;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static io.wharf.management.http.Router.Level.ADMINISTRATOR;
import static io.wharf.management.http.Router.Level.MANAGEMENT;
import static io.wharf.management.http.Router.Level.OPEN;

/** {@code /health}, {@code /api/overview}, {@code /api/vhosts} and the API's own description. */
final class OverviewRoutes {

    private final Views views;
    private final Supplier<Map<String, Integer>> listeners;
    private final byte[] openApi;

    OverviewRoutes(Views views, Supplier<Map<String, Integer>> listeners) {
        this.views = views;
        this.listeners = listeners;
        try (InputStream in = OverviewRoutes.class.getResourceAsStream("/io/wharf/management/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.json", e);
        }
    }

    void register(Router r) {
        r.get("/health", OPEN, this::health)
                .get("/api/openapi.json", OPEN, req -> ApiResponse.bytes(200, openApi, "application/json"))
                .get("/api/overview", MANAGEMENT, this::overview)
                .get("/api/vhosts", MANAGEMENT, req -> ApiResponse.ok(views.vhosts(req).stream().map(this::vhost).toList()))
                .get("/api/vhosts/{vhost}", MANAGEMENT, req -> ApiResponse.ok(vhost(views.vhost(req))))
                .put("/api/vhosts/{vhost}", ADMINISTRATOR, this::putVhost)
                .delete("/api/vhosts/{vhost}", ADMINISTRATOR, this::deleteVhost);
    }

    private ApiResponse putVhost(ApiRequest r) {
        String name = r.path("vhost");
        boolean existed = views.broker().vhost(name).isPresent();
        Views.await(views.broker().createVirtualHost(name));
        return ApiResponse.createdOrUpdated(!existed);
    }

    private ApiResponse deleteVhost(ApiRequest r) {
        String name = r.path("vhost");
        if (!Views.await(views.broker().deleteVirtualHost(name))) {
            throw ApiException.notFound("no vhost '" + name + "'");
        }
        return ApiResponse.noContent();
    }

    private ApiResponse health(ApiRequest r) {
        Lifecycle state = views.broker().state();
        Map<String, Object> body = Map.of("status", state.name().toLowerCase(java.util.Locale.ROOT));
        return new ApiResponse(state == Lifecycle.RUNNING ? 200 : 503, body, null, null, Map.of());
    }

    private ApiResponse overview(ApiRequest r) {
        Broker b = views.broker();
        List<VirtualHost> vhosts = views.vhosts(r);
        long ready = 0;
        long unacked = 0;
        int queues = 0;
        int consumers = 0;
        int exchanges = 0;
        int streams = 0;
        int groups = 0;
        for (VirtualHost v : vhosts) {
            for (Queue q : v.queues()) {
                ready += q.messageCount();
                unacked += q.unackedCount();
                consumers += q.consumerCount();
                queues++;
            }
            exchanges += v.exchanges().size();
            streams += v.streams().size();
            groups += Views.groupNames(v).size();
        }
        Map<String, Long> byProtocol = new TreeMap<>();
        int channels = 0;
        List<ClientConnection> connections = b.connections().all();
        for (ClientConnection c : connections) {
            byProtocol.merge(c.protocol(), 1L, Long::sum);
            channels += c.sessions().size();
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("connections", connections.size());
        totals.put("channels", channels);
        totals.put("exchanges", exchanges);
        totals.put("queues", queues);
        totals.put("consumers", consumers);
        totals.put("streams", streams);
        totals.put("consumer_groups", groups);
        Map<String, Object> queueTotals = new LinkedHashMap<>();
        Views.depth(queueTotals, ready, unacked);
        MessageStats.Snapshot stats = MessageStats.Snapshot.ZERO;
        for (VirtualHost v : vhosts) {
            stats = stats.plus(Rates.totals(v));
        }
        Rates.PerSecond rates = vhosts.size() == b.vhosts().size() ? views.rates().rates(Rates.BROKER_KEY)
                : vhosts.stream().map(v -> views.rates().rates(Rates.vhostKey(v.name()))).reduce(Rates.PerSecond.ZERO, Rates.PerSecond::plus);
        List<Map<String, Object>> listening = new ArrayList<>();
        listeners.get().forEach((protocol, port) -> listening.add(Map.of("protocol", protocol, "port", port)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("product_name", "Wharf");
        m.put("wharf_version", WharfVersion.current());
        m.put("java_version", Runtime.version().toString());
        m.put("uptime_ms", System.currentTimeMillis() - b.startedAtMillis());
        m.put("started_at", b.startedAtMillis());
        m.put("state", b.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("rates_interval_ms", views.rates().intervalMillis());
        m.put("listeners", listening);
        m.put("object_totals", totals);
        m.put("queue_totals", queueTotals);
        m.put("connections_by_protocol", byProtocol);
        m.put("message_stats", Views.messageStats(stats, rates));
        // Why publishers are blocked now (memory or disk), or null.
        m.put("alarm", b.alarms().blockedReason());
        return ApiResponse.ok(m);
    }

    private Map<String, Object> vhost(VirtualHost v) {
        long ready = 0;
        long unacked = 0;
        for (Queue q : v.queues()) {
            ready += q.messageCount();
            unacked += q.unackedCount();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        Views.depth(m, ready, unacked);
        m.put("queues", v.queues().size());
        m.put("streams", v.streams().size());
        m.put("message_stats", Views.messageStats(Rates.totals(v), views.rates().rates(Rates.vhostKey(v.name()))));
        return m;
    }
}
