package io.wharf.it.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.it.support.ApiClient;
import io.wharf.it.support.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The console's Nodes page on the leader of a three-node cluster, in a real browser. */
class ConsoleNodesTest {

    @TempDir
    Path dir;

    @TempDir
    Path profile;

    @Test
    void shouldShowTheMembersTheirStateAndTheRaftGroups() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, Map.of("storage.fsync", "never"))) {
            // The node that says it leads and hears from both others: the first election has settled.
            String leader = await().atMost(Duration.ofSeconds(30)).until(() -> cluster.ids().stream().filter(id -> {
                JsonNode group = new ApiClient(cluster.node(id).httpPort(), "guest", "guest").get("/api/cluster").json()
                        .path("groups").path(0);
                return group.path("role").asText().equals("leader") && group.path("replicas").size() == 2;
            }).findFirst().orElse(""), l -> !l.isEmpty());
            ChromeDriver browser = Chromium.start(profile);
            try {
                Console console = new Console(browser, cluster.node(leader).httpPort(), null);
                console.signIn("guest", "guest");
                console.click("a[data-section='nodes']");
                console.awaitText("#page-title", "Nodes");
                console.awaitText("#nodes-summary", "Node " + leader + ", one of 3 members.");
                console.awaitText("#nodes-members tr[data-name='" + leader + "'] [data-col='state']", "this node");
                console.awaitText("#nodes-groups tr[data-name='metadata'] [data-col='leader']", leader);
                String follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
                console.awaitText("#nodes-members tr[data-name='" + follower + "'] [data-col='state']", "up");
                console.awaitText("#nodes-replicas", text -> assertThat(text).contains(follower));

                // A member that stops shows as down, without a reload.
                cluster.stop(follower);
                console.awaitText("#nodes-members tr[data-name='" + follower + "'] [data-col='state']", "down");
                assertThat(console.findAll("#nodes-members tbody tr")).hasSize(3);
            } finally {
                browser.quit();
            }
        }
    }
}
