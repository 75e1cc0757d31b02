package io.wharf.management.api;

import io.wharf.core.BrokerException;
import io.wharf.core.auth.Client;
import io.wharf.core.auth.User;
import io.wharf.core.stats.MessageStats;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.BasicAuth;
import io.wharf.storage.log.LogDamage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the routes share: finding the vhost a request names and checking the user may see it,
 * waiting for the broker, the {@code message_stats} objects, and filtering and sorting lists.
 */
final class Views {

    private static final long TIMEOUT_SECONDS = 30;

    private final io.wharf.core.Broker broker;
    private final Rates rates;

    Views(io.wharf.core.Broker broker, Rates rates) {
        this.broker = broker;
        this.rates = rates;
    }

    io.wharf.core.Broker broker() {
        return broker;
    }

    Rates rates() {
        return rates;
    }

    /**
     * The vhost named by the path's {@code vhost} part.
     *
     * @throws ApiException 404 if there is none, 403 if the user may not see it
     */
    VirtualHost vhost(ApiRequest r) {
        String name = r.path("vhost");
        VirtualHost v = broker.vhost(name).orElseThrow(() -> ApiException.notFound("no vhost '" + name + "'"));
        if (!canSee(r.user(), name)) {
            throw ApiException.accessRefused("user '" + r.user().name() + "' has no access to vhost '" + name + "'");
        }
        return v;
    }

    /** The vhosts whose objects a list shows: the named one, or every one the user may see. */
    List<VirtualHost> vhosts(ApiRequest r) {
        if (r.path("vhost") != null) {
            return List.of(vhost(r));
        }
        return broker.vhosts().values().stream().filter(v -> canSee(r.user(), v.name()))
                .sorted(Comparator.comparing(VirtualHost::name)).toList();
    }

    static boolean canSee(User user, String vhost) {
        return user == null || BasicAuth.seesEverything(user) || user.canAccess(vhost);
    }

    /** The broker client an API request acts as; each request is its own "connection". */
    static Client client(ApiRequest r) {
        return new Client(r.user(), new Object(), "HTTP API user '" + r.user().name() + "' from " + r.remote());
    }

    /** The consumer groups of a vhost: those with committed offsets and those with members now. */
    static Set<String> groupNames(VirtualHost v) {
        Set<String> names = new TreeSet<>(v.groupOffsets().groups());
        v.consumerGroups().groups().forEach(g -> names.add(g.id()));
        return names;
    }

    /** RabbitMQ's depth fields: {@code messages}, {@code messages_ready}, {@code messages_unacknowledged}. */
    static void depth(Map<String, Object> m, long ready, long unacked) {
        m.put("messages", ready + unacked);
        m.put("messages_ready", ready);
        m.put("messages_unacknowledged", unacked);
    }

    /** Waits for the broker's answer; its refusals become the API's. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof BrokerException be) {
                throw ApiException.from(be);
            }
            if (cause instanceof ApiException ae) {
                throw ae;
            }
            throw new IllegalStateException("the broker failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new ApiException(503, "timeout", "the broker did not answer within " + TIMEOUT_SECONDS + " s", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted", null);
        }
    }

    /** RabbitMQ's {@code message_stats}: each counter with its {@code _details.rate}. */
    static Map<String, Object> messageStats(MessageStats.Snapshot s, Rates.PerSecond r) {
        Map<String, Object> m = new LinkedHashMap<>();
        counter(m, "publish", s.published(), r.published());
        counter(m, "publish_bytes", s.publishedBytes(), r.publishedBytes());
        counter(m, "deliver_get", s.delivered(), r.delivered());
        counter(m, "deliver_bytes", s.deliveredBytes(), r.deliveredBytes());
        counter(m, "ack", s.acknowledged(), r.acknowledged());
        counter(m, "redeliver", s.redelivered(), r.redelivered());
        counter(m, "dead_lettered", s.deadLettered(), r.deadLettered());
        return m;
    }

    /**
     * The damage a queue's or stream's logs skip, as {@code damage}: how many stretches, messages
     * and bytes, and with {@code details} each stretch (file, bytes, offsets, reason).
     */
    static void damage(Map<String, Object> m, List<LogDamage> damage, boolean details) {
        long messages = 0;
        long bytes = 0;
        for (LogDamage d : damage) {
            messages += d.offsets();
            bytes += d.bytes();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("ranges", damage.size());
        summary.put("messages_skipped", messages);
        summary.put("bytes", bytes);
        if (details) {
            summary.put("details", damage.stream().map(Views::damageDetail).toList());
        }
        m.put("damage", summary);
    }

    static Map<String, Object> damageDetail(LogDamage d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", d.file().toString());
        m.put("start_byte", d.startByte());
        m.put("end_byte", d.endByte());
        m.put("first_offset", d.firstOffset());
        m.put("next_offset", d.nextOffset());
        m.put("messages_skipped", d.offsets());
        m.put("reason", d.reason());
        return m;
    }

    static void counter(Map<String, Object> m, String name, long value, double rate) {
        m.put(name, value);
        m.put(name + "_details", Map.of("rate", rate));
    }

    /**
     * A list as the query asks: {@code name} keeps items whose name contains it (case-insensitive),
     * {@code sort} orders by a field (numbers numerically), {@code sort_reverse} reverses.
     */
    static List<Map<String, Object>> listing(ApiRequest r, List<Map<String, Object>> items) {
        List<Map<String, Object>> out = new ArrayList<>(items);
        String filter = r.query().get("name");
        if (filter != null && !filter.isEmpty()) {
            String f = filter.toLowerCase(java.util.Locale.ROOT);
            out.removeIf(m -> !String.valueOf(m.get("name")).toLowerCase(java.util.Locale.ROOT).contains(f));
        }
        String sort = r.query().getOrDefault("sort", "");
        if (!sort.isEmpty()) {
            out.sort(Comparator.comparing(m -> sortKey(m.get(sort)), Views::compareKeys));
        }
        if (r.flag("sort_reverse")) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    private static Object sortKey(Object v) {
        return v instanceof Number n ? (Object) n.doubleValue() : v == null ? "" : v.toString();
    }

    private static int compareKeys(Object a, Object b) {
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y);
        }
        if (a instanceof Double) {
            return -1;
        }
        if (b instanceof Double) {
            return 1;
        }
        return a.toString().compareTo(b.toString());
    }

    /** Field values of arguments and headers as JSON-friendly values. */
    static Map<String, Object> table(Map<String, Object> t) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (t != null) {
            t.forEach((k, v) -> out.put(k, io.wharf.management.http.Json.fromFieldValue(v)));
        }
        return out;
    }
}
