package io.wharf.management.api;

import io.wharf.core.connection.ClientConnection;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.BasicAuth;
import io.wharf.management.http.Router;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.wharf.management.http.Router.Level.MANAGEMENT;

/** {@code /api/connections} and {@code /api/channels}: client connections of every protocol. */
final class ConnectionRoutes {

    private final Views views;

    ConnectionRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.get("/api/connections", MANAGEMENT, this::list)
                .get("/api/connections/{name}", MANAGEMENT, req -> ApiResponse.ok(view(connection(req))))
                .delete("/api/connections/{name}", MANAGEMENT, this::close)
                .get("/api/connections/{name}/channels", MANAGEMENT, req -> ApiResponse.ok(channels(connection(req))))
                .get("/api/channels", MANAGEMENT, this::allChannels);
    }

    /** The connections a user may see: all for administrators and monitors, otherwise their own. */
    private List<ClientConnection> visible(ApiRequest r) {
        return views.broker().connections().all().stream()
                .filter(c -> BasicAuth.seesEverything(r.user()) || c.user().equals(r.user().name()))
                .sorted(Comparator.comparing(ClientConnection::name)).toList();
    }

    private ClientConnection connection(ApiRequest r) {
        String name = r.path("name");
        return visible(r).stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no connection '" + name + "'"));
    }

    private ApiResponse list(ApiRequest r) {
        return ApiResponse.ok(Views.listing(r, visible(r).stream().map(this::view).toList()));
    }

    private Map<String, Object> view(ClientConnection c) {
        Rates.PerSecond rate = views.rates().rates(Rates.connectionKey(c.name()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("protocol", c.protocol());
        m.put("protocol_version", c.protocolVersion());
        m.put("user", c.user());
        m.put("vhost", c.vhost());
        m.put("client_id", c.clientId());
        address(m, "peer_host", "peer_port", c.peer());
        address(m, "host", "port", c.local());
        m.put("connected_at", c.connectedAtMillis());
        m.put("channels", c.sessions().size());
        m.put("state", c.state());
        m.put("client_properties", c.clientProperties());
        Views.counter(m, "recv_cnt", c.messagesIn(), rate.published());
        Views.counter(m, "send_cnt", c.messagesOut(), rate.delivered());
        Views.counter(m, "recv_oct", c.bytesIn(), rate.publishedBytes());
        Views.counter(m, "send_oct", c.bytesOut(), rate.deliveredBytes());
        return m;
    }

    private static void address(Map<String, Object> m, String host, String port, InetSocketAddress a) {
        m.put(host, a == null ? "" : a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString());
        m.put(port, a == null ? 0 : a.getPort());
    }

    private static List<Map<String, Object>> channels(ClientConnection c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ClientConnection.Session s : c.sessions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name() + " (" + s.name() + ")");
            m.put("number", s.name());
            Map<String, Object> conn = new LinkedHashMap<>();
            conn.put("name", c.name());
            address(conn, "peer_host", "peer_port", c.peer());
            m.put("connection_details", conn);
            m.put("protocol", c.protocol());
            m.put("user", c.user());
            m.put("vhost", c.vhost());
            m.put("consumer_count", s.consumers());
            m.put("messages_unacknowledged", s.unacknowledged());
            m.put("prefetch_count", s.prefetch());
            out.add(m);
        }
        return out;
    }

    private ApiResponse allChannels(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        visible(r).forEach(c -> out.addAll(channels(c)));
        return ApiResponse.ok(Views.listing(r, out));
    }

    private ApiResponse close(ApiRequest r) {
        ClientConnection c = connection(r);
        String reason = r.header("x-reason");
        c.close(reason == null || reason.isBlank() ? "Closed via management API" : reason);
        return ApiResponse.noContent();
    }
}
