package io.wharf.management.api;

import io.wharf.core.cluster.PartitionPlacement;
import io.wharf.core.stream.ConsumerGroupDirectory;
import io.wharf.core.stream.GroupOffsets;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamConfigs;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.stream.StreamPartition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.JsonBody;
import io.wharf.management.http.Router;
import io.wharf.storage.log.LogDamage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static io.wharf.management.http.Router.Level.MANAGEMENT;

/** {@code /api/streams} (create, list, delete) and {@code /api/groups} (members, offsets, lag). */
final class StreamRoutes {

    /** Kafka's rule for topic names, which every stream must follow to be reachable from Kafka clients. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final Views views;

    StreamRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.get("/api/streams", MANAGEMENT, this::list)
                .get("/api/streams/{vhost}", MANAGEMENT, this::list)
                .get("/api/streams/{vhost}/{name}", MANAGEMENT, this::show)
                .put("/api/streams/{vhost}/{name}", MANAGEMENT, this::create)
                .delete("/api/streams/{vhost}/{name}", MANAGEMENT, this::delete)
                .get("/api/groups", MANAGEMENT, this::groups)
                .get("/api/groups/{vhost}", MANAGEMENT, this::groups)
                .get("/api/groups/{vhost}/{group}", MANAGEMENT, this::group);
    }

    private ApiResponse list(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (VirtualHost v : views.vhosts(r)) {
            v.streams().forEach(s -> out.add(view(v, s, false)));
        }
        out.sort(Comparator.comparing(m -> m.get("vhost") + "\0" + m.get("name")));
        return ApiResponse.ok(Views.listing(r, out));
    }

    private Map<String, Object> view(VirtualHost v, Stream s, boolean partitions) {
        long messages = 0;
        long bytes = 0;
        List<Map<String, Object>> details = new ArrayList<>();
        List<LogDamage> damage = new ArrayList<>();
        for (StreamPartition p : s.partitions()) {
            List<LogDamage> partitionDamage = p.damage();
            damage.addAll(partitionDamage);
            long start = p.logStartOffset();
            long hw = p.highWatermark();
            messages += hw - start;
            bytes += p.logBytes();
            if (partitions) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("partition", p.index());
                d.put("first_offset", start);
                d.put("last_offset", hw > start ? hw - 1 : -1);
                d.put("high_watermark", hw);
                d.put("last_stable_offset", p.lastStableOffset());
                d.put("messages", hw - start);
                d.put("disk_bytes", p.logBytes());
                views.broker().cluster().ifPresent(c -> {
                    // Where the partition is replicated, as this node sees it now.
                    PartitionPlacement placement = c.placement(p.address().placementKey());
                    d.put("group", placement.group());
                    d.put("leader", placement.leader().orElse(null));
                    d.put("replicas", placement.replicas());
                    d.put("in_sync", placement.inSync());
                });
                Views.damage(d, partitionDamage, true);
                d.put("message_stats", Views.messageStats(p.stats().snapshot(),
                        views.rates().rates(Rates.partitionKey(v.name(), s.name(), p.index()))));
                details.add(d);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("vhost", v.name());
        m.put("partitions", s.partitionCount());
        m.put("messages", messages);
        m.put("disk_bytes", bytes);
        Views.damage(m, damage, false);
        m.put("configs", new LinkedHashMap<>(s.definition().configs()));
        m.put("message_stats", Views.messageStats(Rates.totals(s), views.rates().rates(Rates.streamKey(v.name(), s.name()))));
        if (partitions) {
            m.put("partition_details", details);
        }
        return m;
    }

    private static Stream stream(VirtualHost v, String name) {
        Stream s = v.stream(name);
        if (s == null) {
            throw ApiException.notFound("no stream '" + name + "' in vhost '" + v.name() + "'");
        }
        return s;
    }

    private ApiResponse show(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        return ApiResponse.ok(view(v, stream(v, r.path("name")), true));
    }

    private ApiResponse create(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        String name = r.path("name");
        if (!LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw ApiException.badRequest("name", "a stream name is 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_' and '-'");
        }
        JsonBody body = r.body(Set.of("partitions", "configs"));
        Map<String, String> configs = body.strings("configs");
        configs.forEach((k, val) -> {
            String problem = StreamConfigs.problem(k, val);
            if (problem != null) {
                throw ApiException.badRequest("configs." + k, problem);
            }
        });
        Stream existing = v.stream(name);
        if (existing == null) {
            int partitions = (int) body.integer("partitions", 1, 1, StreamDefinition.MAX_PARTITIONS);
            Views.await(v.streamAdmin().create(new StreamDefinition(name, partitions, configs), Views.client(r)));
            return ApiResponse.created();
        }
        int partitions = (int) body.integer("partitions", existing.partitionCount(), 1, StreamDefinition.MAX_PARTITIONS);
        if (partitions < existing.partitionCount()) {
            throw ApiException.conflict("stream '" + name + "' has " + existing.partitionCount()
                    + " partitions; partitions can be added, not removed");
        }
        if (partitions > existing.partitionCount()) {
            Views.await(v.streamAdmin().addPartitions(name, partitions, Views.client(r)));
        }
        if (!configs.isEmpty()) {
            Views.await(v.streamAdmin().reconfigure(name, configs, Views.client(r)));
        }
        return ApiResponse.noContent();
    }

    private ApiResponse delete(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        stream(v, r.path("name"));
        Views.await(v.streamAdmin().delete(r.path("name"), Views.client(r)));
        return ApiResponse.noContent();
    }

    private ApiResponse groups(ApiRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (VirtualHost v : views.vhosts(r)) {
            Views.groupNames(v).forEach(g -> {
                Map<String, Object> m = group(v, g);
                m.remove("offsets");
                out.add(m);
            });
        }
        return ApiResponse.ok(Views.listing(r, out));
    }

    private ApiResponse group(ApiRequest r) {
        VirtualHost v = views.vhost(r);
        String name = r.path("group");
        if (!Views.groupNames(v).contains(name)) {
            throw ApiException.notFound("no consumer group '" + name + "' in vhost '" + v.name() + "'");
        }
        return ApiResponse.ok(group(v, name));
    }

    private static Map<String, Object> group(VirtualHost v, String name) {
        Optional<ConsumerGroupDirectory.Group> live = v.consumerGroups().groups().stream()
                .filter(g -> g.id().equals(name)).findFirst();
        List<Map<String, Object>> offsets = new ArrayList<>();
        long lag = 0;
        List<GroupOffsets.Committed> committed = new ArrayList<>(v.groupOffsets().all(name));
        committed.sort(Comparator.comparing(GroupOffsets.Committed::stream).thenComparing(GroupOffsets.Committed::partition));
        for (GroupOffsets.Committed c : committed) {
            Stream s = v.stream(c.stream());
            if (s == null || c.partition() >= s.partitionCount()) {
                continue;
            }
            long hw = s.partition(c.partition()).highWatermark();
            long partitionLag = Math.max(0, hw - c.offset());
            lag += partitionLag;
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("stream", c.stream());
            o.put("partition", c.partition());
            o.put("committed_offset", c.offset());
            o.put("high_watermark", hw);
            o.put("lag", partitionLag);
            offsets.add(o);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("vhost", v.name());
        m.put("state", live.map(ConsumerGroupDirectory.Group::state).orElse("Empty"));
        m.put("protocol_type", live.map(ConsumerGroupDirectory.Group::protocolType).orElse(""));
        m.put("protocol", live.map(ConsumerGroupDirectory.Group::protocol).orElse(""));
        m.put("generation", live.map(ConsumerGroupDirectory.Group::generation).orElse(0));
        m.put("lag", lag);
        m.put("members", live.map(g -> g.members().stream().map(StreamRoutes::member).toList()).orElse(List.of()));
        m.put("offsets", offsets);
        return m;
    }

    private static Map<String, Object> member(ConsumerGroupDirectory.Member mb) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("member_id", mb.memberId());
        m.put("client_id", mb.clientId());
        m.put("client_host", mb.clientHost());
        m.put("assignment", mb.assignment());
        return m;
    }
}
