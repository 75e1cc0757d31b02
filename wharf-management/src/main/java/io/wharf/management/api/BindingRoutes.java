package io.wharf.management.api;

import io.wharf.core.BrokerException;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.message.FieldTables;
import io.wharf.core.queue.Queue;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.JsonBody;
import io.wharf.management.http.Router;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.wharf.management.http.Router.Level.MANAGEMENT;

/** {@code /api/bindings}: list, bind and unbind, between exchanges and queues or exchanges. */
final class BindingRoutes {

    private final Views views;

    BindingRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.get("/api/bindings", MANAGEMENT, this::list)
                .get("/api/bindings/{vhost}", MANAGEMENT, this::list)
                .get("/api/queues/{vhost}/{name}/bindings", MANAGEMENT, this::ofQueue);
        for (String kind : List.of("q", "e")) {
            String base = "/api/bindings/{vhost}/e/{source}/" + kind + "/{destination}";
            boolean toExchange = kind.equals("e");
            r.get(base, MANAGEMENT, req -> between(req, toExchange))
                    .post(base, MANAGEMENT, req -> bind(req, toExchange))
                    .get(base + "/{props}", MANAGEMENT, req -> ApiResponse.ok(one(req, toExchange)))
                    .delete(base + "/{props}", MANAGEMENT, req -> unbind(req, toExchange));
        }
    }

    /** Every binding of a vhost, the default exchange's implicit ones first, as RabbitMQ lists them. */
    static List<Map<String, Object>> all(VirtualHost v) {
        List<Map<String, Object>> out = new ArrayList<>();
        v.queues().stream().map(Queue::name).sorted().forEach(q ->
                out.add(view(v, Binding.toQueue("", q, q, Map.of()))));
        v.exchanges().stream().sorted(java.util.Comparator.comparing(Exchange::name))
                .forEach(e -> e.bindings().forEach(b -> out.add(view(v, b))));
        return out;
    }

    static Map<String, Object> view(VirtualHost v, Binding b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", b.source());
        m.put("vhost", v.name());
        m.put("destination", b.destination());
        m.put("destination_type", b.toExchange() ? "exchange" : "queue");
        m.put("routing_key", b.routingKey());
        m.put("arguments", Views.table(b.arguments()));
        m.put("properties_key", propertiesKey(b));
        return m;
    }

    /** Names one binding among those between the same two ends: the routing key, plus a hash of the arguments if any. */
    static String propertiesKey(Binding b) {
        if (b.arguments() == null || b.arguments().isEmpty()) {
            return b.routingKey().isEmpty() ? "~" : b.routingKey();
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(FieldTables.encode(new TreeMap<>(b.arguments())));
            return b.routingKey() + "~" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private ApiResponse list(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        views.vhosts(r).forEach(v -> out.addAll(all(v)));
        return ApiResponse.ok(out);
    }

    private ApiResponse ofQueue(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        String queue = r.path("name");
        v.findQueue(queue).orElseThrow(() -> ApiException.notFound("no queue '" + queue + "' in vhost '" + v.name() + "'"));
        return ApiResponse.ok(all(v).stream()
                .filter(b -> "queue".equals(b.get("destination_type")) && queue.equals(b.get("destination"))).toList());
    }

    private List<Map<String, Object>> matching(ApiRequest r, boolean toExchange) {
        VirtualHost v = views.vhost(r);
        Exchange source = ExchangeRoutes.exchange(v, r.path("source"));
        String destination = destination(v, r, toExchange);
        return all(v).stream().filter(b -> b.get("source").equals(source.name())
                && b.get("destination").equals(destination)
                && b.get("destination_type").equals(toExchange ? "exchange" : "queue")).toList();
    }

    private static String destination(VirtualHost v, ApiRequest r, boolean toExchange) {
        String name = r.path("destination");
        if (toExchange) {
            return ExchangeRoutes.exchange(v, name).name();
        }
        v.findQueue(name).orElseThrow(() -> ApiException.notFound("no queue '" + name + "' in vhost '" + v.name() + "'"));
        return name;
    }

    private ApiResponse between(ApiRequest r, boolean toExchange) {
        return ApiResponse.ok(matching(r, toExchange));
    }

    private Map<String, Object> one(ApiRequest r, boolean toExchange) {
        String props = r.path("props");
        return matching(r, toExchange).stream().filter(b -> b.get("properties_key").equals(props)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no binding '" + props + "' between these two"));
    }

    private ApiResponse bind(ApiRequest r, boolean toExchange) {
        VirtualHost v = views.vhost(r);
        Exchange source = ExchangeRoutes.exchange(v, r.path("source"));
        if (source.name().isEmpty()) {
            throw ApiException.accessRefused("the default exchange binds every queue by its name; it takes no other bindings");
        }
        String destination = destination(v, r, toExchange);
        JsonBody body = r.body(Set.of("routing_key", "arguments"));
        String key = body.string("routing_key", "");
        Map<String, Object> args = body.table("arguments");
        Binding b = toExchange ? Binding.toExchange(source.name(), destination, key, args)
                : Binding.toQueue(source.name(), destination, key, args);
        try {
            source.validate(b);
        } catch (BrokerException e) {
            throw ApiException.badRequest("routing_key", e.getMessage());
        }
        Views.await(v.bind(b, Views.client(r)));
        String location = "/api/bindings/" + enc(v.name()) + "/e/" + enc(r.path("source")) + "/" + (toExchange ? "e" : "q")
                + "/" + enc(destination) + "/" + enc(propertiesKey(b));
        return ApiResponse.createdAt(location);
    }

    private ApiResponse unbind(ApiRequest r, boolean toExchange) {
        VirtualHost v = views.vhost(r);
        Map<String, Object> found = one(r, toExchange);
        Exchange source = ExchangeRoutes.exchange(v, r.path("source"));
        if (source.name().isEmpty()) {
            throw ApiException.accessRefused("the default exchange's bindings cannot be removed");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> shownArgs = (Map<String, Object>) found.get("arguments");
        Binding b = source.bindings().stream()
                .filter(x -> x.toExchange() == toExchange && x.destination().equals(found.get("destination"))
                        && propertiesKey(x).equals(found.get("properties_key")))
                .findFirst().orElseThrow(() -> ApiException.notFound("the binding is gone (" + shownArgs + ")"));
        Views.await(v.unbind(b, Views.client(r)));
        return ApiResponse.noContent();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
