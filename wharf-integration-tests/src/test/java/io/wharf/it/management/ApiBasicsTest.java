package io.wharf.it.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.wharf.it.support.ApiClient;
import io.wharf.management.api.ManagementApi;
import io.wharf.management.http.Router;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What every route shares: authentication, errors, the overview and the API's own description. */
class ApiBasicsTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private ApiClient api() {
        return new ApiClient(wharf.httpPort(), "guest", "guest");
    }

    @Test
    void shouldAnswerHealthWithoutCredentials() {
        ApiClient.Answer a = api().as(null, null).get("/health");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("status").asText()).isEqualTo("running");
    }

    @Test
    void shouldAskForCredentialsUnlessAScriptInAPageAsks() {
        ApiClient.Answer none = api().as(null, null).get("/api/overview");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).isEqualTo("not_authorised");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Wharf\"");

        ApiClient.Answer wrong = api().as("guest", "nope").call("GET", "/api/overview", null, "X-Requested-With", "XMLHttpRequest");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).isNull();
        assertThat(wrong.json().get("reason").asText()).contains("login failed");
    }

    @Test
    void shouldRefuseUsersWithoutAManagementTag() {
        assertThat(api().put("/api/users/plain", "{\"password\":\"pw\"}").status()).isEqualTo(201);
        ApiClient.Answer a = api().as("plain", "pw").get("/api/overview");
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.json().get("error").asText()).isEqualTo("access_refused");
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsWithJson() {
        ApiClient.Answer unknown = api().get("/api/nothing-here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).isEqualTo("not_found");

        ApiClient.Answer method = api().post("/api/overview", "{}");
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.header("Allow")).isEqualTo("GET");

        ApiClient.Answer vhost = api().get("/api/queues/no-such-vhost");
        assertThat(vhost.status()).isEqualTo(404);
        assertThat(vhost.json().get("reason").asText()).contains("no-such-vhost");
    }

    @Test
    void shouldRefuseBodiesThatAreNotJsonObjectsOrTooLarge() {
        ApiClient.Answer notJson = api().put("/api/queues/%2F/basics-q", "{durable");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("reason").asText()).startsWith("the body is not valid JSON");

        ApiClient.Answer array = api().put("/api/queues/%2F/basics-q", "[1]");
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.json().get("reason").asText()).isEqualTo("the body must be a JSON object");

        String huge = "{\"payload\":\"" + "x".repeat(17 << 20) + "\",\"routing_key\":\"k\"}";
        assertThat(api().post("/api/exchanges/%2F/amq.default/publish", huge).status()).isEqualTo(413);
        assertThat(api().get("/health").status()).isEqualTo(200);
    }

    @Test
    void shouldShowTotalsAndRatesInTheOverview() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("basics-overview", true, false, false, null);
            ch.confirmSelect();
            JsonNode before = api().get("/api/overview").json();
            for (int i = 0; i < 50; i++) {
                ch.basicPublish("", "basics-overview", MessageProperties.PERSISTENT_BASIC, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
            JsonNode after = api().get("/api/overview").json();
            assertThat(after.get("product_name").asText()).isEqualTo("Wharf");
            assertThat(after.get("listeners").toString()).contains("\"amqp\"", "\"kafka\"", "\"http\"");
            assertThat(after.get("listeners").findValuesAsText("port")).contains(Integer.toString(wharf.httpPort()));
            assertThat(after.at("/message_stats/publish").asLong()).isEqualTo(before.at("/message_stats/publish").asLong() + 50);
            assertThat(after.at("/queue_totals/messages_ready").asLong()).isGreaterThanOrEqualTo(50);
            assertThat(after.at("/object_totals/queues").asInt()).isGreaterThanOrEqualTo(1);
            // Rates are differences between samples taken every few seconds.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(api().get("/api/overview").json().at("/message_stats/publish_details/rate").asDouble()).isPositive());
            ch.queueDelete("basics-overview");
        }
    }

    @Test
    void shouldListVhostsWithTheirTotals() {
        api().put("/api/queues/%2F/basics-vhost", "{}");
        api().post("/api/exchanges/%2F/amq.default/publish", "{\"routing_key\":\"basics-vhost\",\"payload\":\"x\"}");
        JsonNode vhosts = api().get("/api/vhosts").json();
        assertThat(vhosts.findValuesAsText("name")).contains("/");
        JsonNode root = api().get("/api/vhosts/%2F").json();
        assertThat(root.get("messages_ready").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(root.at("/message_stats/publish").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(api().get("/api/vhosts/nowhere").status()).isEqualTo(404);
        assertThat(api().get("/api/bindings").json().findValuesAsText("destination")).contains("basics-vhost");
        assertThat(api().get("/api/exchanges").json().findValuesAsText("name")).contains("amq.fanout");
        assertThat(api().get("/api/whoami").json().get("tags").toString()).contains("administrator");
    }

    @Test
    void shouldCreateAndDeleteVirtualHostsAsRabbitMqDoes() throws Exception {
        assertThat(api().put("/api/vhosts/tenant-x", "{}").status()).isEqualTo(201);
        assertThat(api().put("/api/vhosts/tenant-x", "{}").status()).isEqualTo(204);
        assertThat(api().put("/api/permissions/tenant-x/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").status())
                .isEqualTo(201);
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        f.setVirtualHost("tenant-x");
        f.setAutomaticRecoveryEnabled(false);
        CountDownLatch closed = new CountDownLatch(1);
        Connection c = f.newConnection();
        c.addShutdownListener(e -> closed.countDown());
        Channel ch = c.createChannel();
        ch.queueDeclare("tenant-q", true, false, false, null);
        ch.basicPublish("", "tenant-q", null, "x".getBytes(StandardCharsets.UTF_8));
        await().atMost(10, TimeUnit.SECONDS).until(() -> api().get("/api/queues/tenant-x/tenant-q").json().path("messages").asLong() == 1);

        assertThat(api().delete("/api/vhosts/tenant-x").status()).isEqualTo(204);

        // Its clients are disconnected, as RabbitMQ disconnects them.
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(c.getCloseReason().getMessage()).contains("CONNECTION_FORCED", "tenant-x");
        assertThat(api().get("/api/vhosts/tenant-x").status()).isEqualTo(404);
        assertThat(api().delete("/api/vhosts/tenant-x").status()).isEqualTo(404);
        assertThat(api().delete("/api/vhosts/%2F").status()).isEqualTo(409);
        assertThat(api().put("/api/vhosts/tenant-x", "{}").status()).isEqualTo(201);
        assertThat(api().get("/api/queues/tenant-x").json()).isEmpty();
        assertThat(api().get("/api/permissions/tenant-x/guest").status()).isEqualTo(404);
    }

    @Test
    void shouldDescribeEveryRouteInTheOpenApiDocument() {
        ApiClient.Answer a = api().as(null, null).get("/api/openapi.json");
        assertThat(a.status()).isEqualTo(200);
        JsonNode paths = a.json().get("paths");
        Set<String> documented = new HashSet<>();
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey())));
        Set<String> served = new HashSet<>();
        Router router = ManagementApi.routes(wharf.server().broker(), null, Map::of);
        router.routes().forEach(r -> served.add(r.method() + " " + r.pattern()));
        served.add("GET /metrics");
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
    }
}
