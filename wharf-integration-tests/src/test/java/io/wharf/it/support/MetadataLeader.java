package io.wharf.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.function.IntFunction;

import static org.awaitility.Awaitility.await;

/**
 * Who leads a cluster's metadata group, as the nodes' {@code /api/cluster} say, for tests whose
 * nodes are numbered 1..n and named {@code n1}..{@code nN}.
 */
public final class MetadataLeader {

    private MetadataLeader() {
    }

    /** The number of the leader {@code node} names (1 for n1), 0 if it names none or does not answer. */
    public static int seenBy(ApiClient node) {
        try {
            JsonNode group = node.get("/api/cluster").json().path("groups").path(0);
            String leader = group.path("leader").asText("");
            return leader.startsWith("n") && group.path("role").asText().matches("leader|follower")
                    ? Integer.parseInt(leader.substring(1)) : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Waits until all {@code nodes} name the same leader, and returns it. */
    public static int settled(int nodes, IntFunction<ApiClient> api, Duration patience) {
        return await().atMost(patience).until(() -> {
            int seen = 0;
            for (int i = 1; i <= nodes; i++) {
                int l = seenBy(api.apply(i));
                if (l <= 0 || (seen > 0 && l != seen)) {
                    return 0;
                }
                seen = l;
            }
            return seen;
        }, l -> l > 0);
    }
}
