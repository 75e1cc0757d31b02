package io.wharf.management.api;

import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.ClusterStatus;
import io.wharf.core.cluster.GroupStatus;
import io.wharf.core.cluster.NodeRegistration;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.Router;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.wharf.management.http.Router.Level.ADMINISTRATOR;
import static io.wharf.management.http.Router.Level.MANAGEMENT;

/**
 * {@code /api/cluster}: the members of the cluster this node is one of, whether each answers, and
 * every Raft group as this node sees it (its leader, term, commit and applied index, and, on the
 * group's leader, each replica's lag). A single node answers with itself alone and no groups.
 * {@code /api/cluster/members}: adding and removing members (administrators).
 */
final class ClusterRoutes {

    private final Views views;

    ClusterRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.get("/api/cluster", MANAGEMENT, this::cluster)
                .post("/api/cluster/members", ADMINISTRATOR, this::addMember)
                .delete("/api/cluster/members/{id}", ADMINISTRATOR, this::removeMember);
    }

    /** {@code {"member": "n4@10.0.0.4:7101"}}: a Raft membership change; 204 once agreed. */
    private ApiResponse addMember(ApiRequest r) {
        String member = r.body(Set.of("member")).requiredString("member");
        Views.await(cluster().addMember(member));
        return ApiResponse.noContent();
    }

    private ApiResponse removeMember(ApiRequest r) {
        Views.await(cluster().removeMember(r.path("id")));
        return ApiResponse.noContent();
    }

    private Cluster cluster() {
        return views.broker().cluster().orElseThrow(() -> ApiException.conflict(
                "this broker is a single node: start it with cluster.members to make it one of a cluster"));
    }

    private ApiResponse cluster(ApiRequest r) {
        return ApiResponse.ok(views.broker().cluster().map(c -> view(c.statusFromLeader())).orElseGet(ClusterRoutes::singleNode));
    }

    private static Map<String, Object> singleNode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clustered", false);
        m.put("node", null);
        m.put("members", List.of());
        m.put("groups", List.of());
        return m;
    }

    private Map<String, Object> view(ClusterStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clustered", true);
        m.put("node", s.node());
        m.put("members", s.members().stream().map(this::view).toList());
        m.put("groups", s.groups().stream().map(ClusterRoutes::view).toList());
        return m;
    }

    private Map<String, Object> view(ClusterStatus.Member member) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", member.id());
        m.put("address", member.address());
        m.put("state", member.state().name().toLowerCase(Locale.ROOT));
        // Where it serves clients, once it has registered.
        Optional<NodeRegistration> registered = views.broker().clusterNodes().get(member.id());
        m.put("host", registered.map(NodeRegistration::host).orElse(null));
        m.put("listeners", registered.map(NodeRegistration::listeners).orElse(Map.of()));
        m.put("version", registered.map(NodeRegistration::version).orElse(null));
        return m;
    }

    private static Map<String, Object> view(GroupStatus g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", g.group());
        m.put("role", g.role().toLowerCase(Locale.ROOT));
        m.put("leader", g.leader().orElse(null));
        m.put("term", g.term());
        m.put("commit_index", g.commitIndex());
        m.put("applied_index", g.appliedIndex());
        m.put("replicas", g.replicas().stream().map(ClusterRoutes::view).toList());
        return m;
    }

    private static Map<String, Object> view(GroupStatus.Replica replica) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", replica.id());
        m.put("commit_index", replica.commitIndex());
        m.put("lag", replica.lag());
        m.put("last_contact_ms", replica.lastContactMs());
        return m;
    }
}
