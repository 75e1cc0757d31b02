package io.wharf.management.api;

import io.wharf.core.BrokerException;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.queue.ConsumerSpec;
import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueArguments;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.JsonBody;
import io.wharf.management.http.Router;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.wharf.management.http.Router.Level.MANAGEMENT;

/** {@code /api/queues}: list, declare, delete, purge, get messages; and {@code /api/consumers}. */
final class QueueRoutes {

    private static final int MAX_GET = 10_000;

    private final Views views;

    QueueRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.get("/api/queues", MANAGEMENT, this::list)
                .get("/api/queues/{vhost}", MANAGEMENT, this::list)
                .get("/api/queues/{vhost}/{name}", MANAGEMENT, this::show)
                .put("/api/queues/{vhost}/{name}", MANAGEMENT, this::declare)
                .delete("/api/queues/{vhost}/{name}", MANAGEMENT, this::delete)
                .delete("/api/queues/{vhost}/{name}/contents", MANAGEMENT, this::purge)
                .post("/api/queues/{vhost}/{name}/get", MANAGEMENT, this::get)
                .get("/api/consumers", MANAGEMENT, this::consumers)
                .get("/api/consumers/{vhost}", MANAGEMENT, this::consumers);
    }

    private ApiResponse list(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (VirtualHost v : views.vhosts(r)) {
            v.queues().forEach(q -> out.add(view(v, q)));
        }
        out.sort(java.util.Comparator.comparing(m -> m.get("vhost") + "\0" + m.get("name")));
        return ApiResponse.ok(Views.listing(r, out));
    }

    private Map<String, Object> view(VirtualHost v, Queue q) {
        QueueDefinition d = q.definition();
        long ready = q.messageCount();
        long unacked = q.unackedCount();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", q.name());
        m.put("vhost", v.name());
        m.put("type", "classic");
        m.put("state", "running");
        m.put("durable", d.durable());
        m.put("auto_delete", d.autoDelete());
        m.put("exclusive", d.exclusive());
        m.put("arguments", Views.table(d.arguments()));
        Views.depth(m, ready, unacked);
        m.put("message_bytes_ready", q.readyBytes());
        m.put("disk_bytes", q.logBytes());
        Views.damage(m, q.damage(), false);
        m.put("consumers", q.consumerCount());
        m.put("message_stats", Views.messageStats(q.stats().snapshot(), views.rates().rates(Rates.queueKey(v.name(), q.name()))));
        return m;
    }

    private Queue queue(VirtualHost v, ApiRequest r) {
        String name = r.path("name");
        return v.findQueue(name).orElseThrow(() -> ApiException.notFound("no queue '" + name + "' in vhost '" + v.name() + "'"));
    }

    private ApiResponse show(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        Queue q = queue(v, r);
        Map<String, Object> m = view(v, q);
        Views.damage(m, q.damage(), true);
        Map<Object, ClientConnection> owners = owners();
        m.put("consumer_details", Views.await(q.consumers()).stream().map(c -> consumer(v, q, c, owners)).toList());
        return ApiResponse.ok(m);
    }

    /** Registered connections by the object their adapter names them by in the core. */
    private Map<Object, ClientConnection> owners() {
        Map<Object, ClientConnection> out = new IdentityHashMap<>();
        views.broker().connections().all().forEach(c -> {
            if (c.owner() != null) {
                out.put(c.owner(), c);
            }
        });
        return out;
    }

    private static Map<String, Object> consumer(VirtualHost v, Queue q, ConsumerSpec c, Map<Object, ClientConnection> owners) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("consumer_tag", c.tag());
        m.put("queue", Map.of("name", q.name(), "vhost", v.name()));
        ClientConnection conn = owners.get(c.owner());
        if (conn != null) {
            Map<String, Object> ch = new LinkedHashMap<>();
            ch.put("connection_name", conn.name());
            ch.put("protocol", conn.protocol());
            ch.put("user", conn.user());
            ch.put("peer_host", conn.peer() == null || conn.peer().getAddress() == null ? "" : conn.peer().getAddress().getHostAddress());
            ch.put("peer_port", conn.peer() == null ? 0 : conn.peer().getPort());
            m.put("channel_details", ch);
        }
        m.put("ack_required", !c.noAck());
        m.put("exclusive", c.exclusive());
        m.put("priority", c.priority());
        return m;
    }

    private ApiResponse consumers(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<Object, ClientConnection> owners = owners();
        for (VirtualHost v : views.vhosts(r)) {
            for (Queue q : v.queues()) {
                if (q.consumerCount() > 0) {
                    Views.await(q.consumers()).forEach(c -> out.add(consumer(v, q, c, owners)));
                }
            }
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse declare(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        String name = r.path("name");
        JsonBody body = r.body(Set.of("durable", "auto_delete", "arguments", "exclusive", "node", "type"));
        Names.check("queue", name);
        if (body.bool("exclusive", false)) {
            throw ApiException.badRequest("exclusive", "an exclusive queue belongs to a client connection; the API cannot declare one");
        }
        String type = body.string("type", "classic");
        if (!type.equals("classic")) {
            throw ApiException.badRequest("type", "queue type '" + type + "' is not supported here; create a stream with PUT /api/streams/{vhost}/{name}");
        }
        Map<String, Object> arguments = body.table("arguments");
        try {
            QueueArguments.parse(arguments, "queue '" + name + "' in vhost '" + v.name() + "'");
        } catch (BrokerException e) {
            throw ApiException.badRequest("arguments", e.getMessage());
        }
        QueueDefinition d = new QueueDefinition(name, body.bool("durable", true), false, body.bool("auto_delete", false), arguments);
        boolean existed = v.findQueue(name).isPresent();
        Views.await(v.declareQueue(d, false, Views.client(r)));
        return ApiResponse.createdOrUpdated(!existed);
    }

    private ApiResponse delete(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        queue(v, r);
        Views.await(v.deleteQueue(r.path("name"), r.flag("if-unused"), r.flag("if-empty"), Views.client(r)));
        return ApiResponse.noContent();
    }

    private ApiResponse purge(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        queue(v, r);
        Views.await(v.purgeQueue(r.path("name"), Views.client(r)));
        return ApiResponse.noContent();
    }

    private ApiResponse get(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        JsonBody body = r.body(Set.of("count", "ackmode", "encoding", "truncate", "requeue"));
        int count = (int) body.integer("count", 1, 1, MAX_GET);
        String ackmode = body.string("ackmode", "ack_requeue_true");
        if (!Set.of("ack_requeue_true", "ack_requeue_false", "reject_requeue_true", "reject_requeue_false").contains(ackmode)) {
            throw ApiException.badRequest("ackmode", "'ackmode' must be ack_requeue_true, ack_requeue_false, "
                    + "reject_requeue_true or reject_requeue_false");
        }
        String encoding = body.string("encoding", "auto");
        if (!encoding.equals("auto") && !encoding.equals("base64")) {
            throw ApiException.badRequest("encoding", "'encoding' must be auto or base64");
        }
        int truncate = (int) body.integer("truncate", -1, -1, Integer.MAX_VALUE);
        queue(v, r);
        Queue q = v.queueForReading(r.path("name"), Views.client(r));
        List<Delivery> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Taken off any borrowed buffer as it comes: one that comes after the wait gave up is still let go.
            Optional<Delivery> d = Views.await(q.get(false).thenApply(found -> found.map(Delivery::detached)));
            if (d.isEmpty()) {
                break;
            }
            taken.add(d.get());
        }
        List<Long> ids = taken.stream().map(Delivery::id).toList();
        switch (ackmode) {
            case "ack_requeue_false" -> q.ack(ids);
            case "reject_requeue_false" -> ids.forEach(id -> q.reject(id, false));
            default -> q.requeue(ids);
        }
        return ApiResponse.ok(taken.stream().map(d -> MessageViews.delivered(d, encoding, truncate)).toList());
    }
}
