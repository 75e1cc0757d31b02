package io.wharf.management.api;

import io.wharf.core.BrokerException;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.exchange.Exchanges;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.JsonBody;
import io.wharf.management.http.Router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.wharf.management.http.Router.Level.MANAGEMENT;

/** {@code /api/exchanges}: list, declare, delete, their bindings, and publishing a message. */
final class ExchangeRoutes {

    /** How the API names the default exchange, whose real name is empty. */
    static final String DEFAULT = "amq.default";

    private final Views views;

    ExchangeRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.get("/api/exchanges", MANAGEMENT, this::list)
                .get("/api/exchanges/{vhost}", MANAGEMENT, this::list)
                .get("/api/exchanges/{vhost}/{name}", MANAGEMENT, this::show)
                .put("/api/exchanges/{vhost}/{name}", MANAGEMENT, this::declare)
                .delete("/api/exchanges/{vhost}/{name}", MANAGEMENT, this::delete)
                .get("/api/exchanges/{vhost}/{name}/bindings/source", MANAGEMENT, r2 -> bindings(r2, true))
                .get("/api/exchanges/{vhost}/{name}/bindings/destination", MANAGEMENT, r2 -> bindings(r2, false))
                .post("/api/exchanges/{vhost}/{name}/publish", MANAGEMENT, this::publish)
                .post("/api/exchanges/{vhost}/{name}/publish-batch", MANAGEMENT, this::publishBatch);
    }

    static String realName(String apiName) {
        return DEFAULT.equals(apiName) ? "" : apiName;
    }

    static Exchange exchange(VirtualHost v, String apiName) {
        String name = realName(apiName);
        return v.exchanges().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no exchange '" + apiName + "' in vhost '" + v.name() + "'"));
    }

    private ApiResponse list(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (VirtualHost v : views.vhosts(r)) {
            v.exchanges().forEach(e -> out.add(view(v, e)));
        }
        out.sort(java.util.Comparator.comparing(m -> m.get("vhost") + "\0" + m.get("name")));
        return ApiResponse.ok(Views.listing(r, out));
    }

    private static Map<String, Object> view(VirtualHost v, Exchange e) {
        ExchangeDefinition d = e.definition();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("vhost", v.name());
        m.put("type", d.type());
        m.put("durable", d.durable());
        m.put("auto_delete", d.autoDelete());
        m.put("internal", d.internal());
        m.put("arguments", Views.table(d.arguments()));
        return m;
    }

    private ApiResponse show(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        return ApiResponse.ok(view(v, exchange(v, r.path("name"))));
    }

    private ApiResponse declare(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        String name = r.path("name");
        Names.check("exchange", name);
        if (DEFAULT.equals(name)) {
            throw ApiException.accessRefused("the default exchange cannot be declared");
        }
        JsonBody body = r.body(Set.of("type", "durable", "auto_delete", "internal", "arguments"));
        String type = body.requiredString("type");
        if (!Exchanges.TYPES.contains(type)) {
            throw ApiException.badRequest("type", "unknown exchange type '" + type + "'; known: "
                    + String.join(", ", new java.util.TreeSet<>(Exchanges.TYPES)));
        }
        ExchangeDefinition d = new ExchangeDefinition(name, type, body.bool("durable", true), body.bool("auto_delete", false),
                body.bool("internal", false), body.table("arguments"));
        try {
            Exchanges.create(d);
        } catch (BrokerException e) {
            throw ApiException.badRequest("arguments", e.getMessage());
        }
        boolean existed = v.exchanges().stream().anyMatch(e -> e.name().equals(name));
        Views.await(v.declareExchange(d, false, Views.client(r)));
        return ApiResponse.createdOrUpdated(!existed);
    }

    private ApiResponse delete(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        Exchange e = exchange(v, r.path("name"));
        if (e.name().isEmpty() || e.name().startsWith("amq.")) {
            throw ApiException.accessRefused("exchange '" + r.path("name") + "' is built in and cannot be deleted");
        }
        Views.await(v.deleteExchange(e.name(), r.flag("if-unused"), Views.client(r)));
        return ApiResponse.noContent();
    }

    private ApiResponse bindings(ApiRequest r, boolean asSource) {
        VirtualHost v = views.vhost(r);
        Exchange e = exchange(v, r.path("name"));
        return ApiResponse.ok(BindingRoutes.all(v).stream()
                .filter(b -> asSource ? b.get("source").equals(e.name())
                        : "exchange".equals(b.get("destination_type")) && b.get("destination").equals(e.name()))
                .toList());
    }

    private static final Set<String> MESSAGE_FIELDS = Set.of("routing_key", "payload", "payload_encoding", "properties");
    private static final int MAX_BATCH = 10_000;

    private ApiResponse publish(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        Exchange e = exchange(v, r.path("name"));
        Message m = message(e, r.body(MESSAGE_FIELDS), "");
        VirtualHost.PublishResult result = v.publish(m, false, Views.client(r));
        boolean stored = Views.await(result.stored());
        return ApiResponse.ok(Map.of("routed", result.queues() > 0 && stored));
    }

    /**
     * Publishes many messages in one request, in their order: Wharf's addition to RabbitMQ's
     * API, so that a script or the CLI can load a file without a round trip per message. Every
     * message is checked before the first is published; the answer comes once all are stored.
     */
    private ApiResponse publishBatch(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        Exchange e = exchange(v, r.path("name"));
        JsonBody body = r.body(Set.of("messages"));
        com.fasterxml.jackson.databind.JsonNode list = body.node("messages");
        if (list == null || !list.isArray()) {
            throw ApiException.badRequest("messages", "'messages' must be a list of messages");
        }
        if (list.size() > MAX_BATCH) {
            throw ApiException.badRequest("messages", "at most " + MAX_BATCH + " messages per request, not " + list.size());
        }
        List<Message> messages = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String prefix = "messages[" + i + "].";
            messages.add(message(e, JsonBody.of(list.get(i), prefix, MESSAGE_FIELDS), prefix));
        }
        io.wharf.core.auth.Client client = Views.client(r);
        List<VirtualHost.PublishResult> results = new ArrayList<>(messages.size());
        for (Message m : messages) {
            results.add(v.publish(m, false, client));
        }
        long routed = 0;
        for (VirtualHost.PublishResult result : results) {
            if (Views.await(result.stored()) && result.queues() > 0) {
                routed++;
            }
        }
        return ApiResponse.ok(Map.of("published", messages.size(), "routed", routed));
    }

    private static Message message(Exchange e, JsonBody body, String prefix) {
        String routingKey = body.requiredString("routing_key");
        byte[] payload = MessageViews.payload(body.requiredString("payload"), body.string("payload_encoding", "string"), prefix);
        MessageProperties props = MessageViews.properties(body.node("properties"), prefix);
        return Message.of(e.name(), routingKey, props, payload, System.currentTimeMillis());
    }
}
