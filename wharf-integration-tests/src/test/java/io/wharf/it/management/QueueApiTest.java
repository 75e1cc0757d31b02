package io.wharf.it.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.GetResponse;
import io.wharf.it.support.ApiClient;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Queues, exchanges and bindings through the API, checked against what an AMQP client sees. */
class QueueApiTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private ApiClient api() {
        return new ApiClient(wharf.httpPort(), "guest", "guest");
    }

    private Connection amqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        return f.newConnection();
    }

    @Test
    void shouldDeclareAQueueOnceAndRefuseADifferentRedeclaration() throws Exception {
        assertThat(api().put("/api/queues/%2F/orders", "{\"durable\":true,\"arguments\":{\"x-max-length\":100}}").status()).isEqualTo(201);
        assertThat(api().put("/api/queues/%2F/orders", "{\"durable\":true,\"arguments\":{\"x-max-length\":100}}").status()).isEqualTo(204);
        ApiClient.Answer conflict = api().put("/api/queues/%2F/orders", "{\"durable\":true,\"arguments\":{\"x-max-length\":5}}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("reason").asText()).contains("x-max-length");

        JsonNode q = api().get("/api/queues/%2F/orders").json();
        assertThat(q.get("durable").asBoolean()).isTrue();
        assertThat(q.at("/arguments/x-max-length").asLong()).isEqualTo(100);
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            assertThat(ch.queueDeclarePassive("orders").getMessageCount()).isZero();
        }
    }

    @Test
    void shouldNameTheFieldOfInvalidInput() {
        ApiClient.Answer type = api().put("/api/queues/%2F/bad", "{\"durable\":\"yes\"}");
        assertThat(type.status()).isEqualTo(400);
        assertThat(type.json().get("field").asText()).isEqualTo("durable");

        ApiClient.Answer unknown = api().put("/api/queues/%2F/bad", "{\"durabel\":true}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("field").asText()).isEqualTo("durabel");

        ApiClient.Answer argument = api().put("/api/queues/%2F/bad", "{\"arguments\":{\"x-message-ttl\":\"soon\"}}");
        assertThat(argument.status()).isEqualTo(400);
        assertThat(argument.json().get("field").asText()).isEqualTo("arguments");
        assertThat(argument.json().get("reason").asText()).contains("x-message-ttl");

        ApiClient.Answer exclusive = api().put("/api/queues/%2F/bad", "{\"exclusive\":true}");
        assertThat(exclusive.status()).isEqualTo(400);
        assertThat(exclusive.json().get("field").asText()).isEqualTo("exclusive");

        assertThat(api().put("/api/queues/%2F/amq.reserved", "{}").status()).isEqualTo(403);
        assertThat(api().get("/api/queues/%2F/bad").status()).isEqualTo(404);
    }

    @Test
    void shouldShowDepthConsumersAndRatesOfAQueueThatAmqpClientsUse() throws Exception {
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            ch.queueDeclare("work", true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 10; i++) {
                ch.basicPublish("", "work", null, ("job " + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
            await().untilAsserted(() -> assertThat(api().get("/api/queues/%2F/work").json().get("messages_ready").asLong()).isEqualTo(10));

            Channel consumerChannel = c.createChannel();
            consumerChannel.basicQos(3);
            consumerChannel.basicConsume("work", false, "the-consumer", new DefaultConsumer(consumerChannel));
            await().untilAsserted(() -> {
                JsonNode q = api().get("/api/queues/%2F/work").json();
                assertThat(q.get("consumers").asInt()).isEqualTo(1);
                assertThat(q.get("messages_unacknowledged").asLong()).isEqualTo(3);
                assertThat(q.get("messages_ready").asLong()).isEqualTo(7);
                assertThat(q.get("messages").asLong()).isEqualTo(10);
                assertThat(q.at("/message_stats/publish").asLong()).isEqualTo(10);
                assertThat(q.at("/message_stats/deliver_get").asLong()).isEqualTo(3);
                assertThat(q.get("disk_bytes").asLong()).isPositive();
                assertThat(q.get("consumer_details").get(0).get("consumer_tag").asText()).isEqualTo("the-consumer");
                assertThat(q.get("consumer_details").get(0).get("ack_required").asBoolean()).isTrue();
                assertThat(q.get("consumer_details").get(0).at("/channel_details/connection_name").asText())
                        .endsWith("-> 127.0.0.1:" + wharf.amqpPort());
                assertThat(q.get("consumer_details").get(0).at("/channel_details/protocol").asText()).isEqualTo("AMQP");
            });
            JsonNode consumers = api().get("/api/consumers/%2F").json();
            assertThat(consumers.findValuesAsText("consumer_tag")).contains("the-consumer");
        }
    }

    @Test
    void shouldFilterAndSortTheQueueList() {
        for (String name : List.of("list-b", "list-a", "list-c", "other")) {
            assertThat(api().put("/api/queues/%2F/" + name, "{}").status()).isEqualTo(201);
        }
        api().post("/api/exchanges/%2F/amq.default/publish", "{\"routing_key\":\"list-c\",\"payload\":\"x\"}");
        JsonNode byName = api().get("/api/queues/%2F?name=list-&sort=name").json();
        assertThat(byName.findValuesAsText("name")).containsExactly("list-a", "list-b", "list-c");
        JsonNode byDepth = api().get("/api/queues?name=list&sort=messages_ready&sort_reverse=true").json();
        assertThat(byDepth.get(0).get("name").asText()).isEqualTo("list-c");
        assertThat(api().get("/api/queues?sort_reverse=maybe").json().get("field").asText()).isEqualTo("sort_reverse");
    }

    @Test
    void shouldPublishGetAndPurgeForDebugging() throws Exception {
        assertThat(api().put("/api/queues/%2F/debug", "{}").status()).isEqualTo(201);
        String publish = """
                {"routing_key":"debug","payload":"hello","payload_encoding":"string",
                 "properties":{"delivery_mode":2,"content_type":"text/plain","headers":{"who":"api","n":7},"correlation_id":"c-1"}}""";
        ApiClient.Answer published = api().post("/api/exchanges/%2F/amq.default/publish", publish);
        assertThat(published.status()).isEqualTo(200);
        assertThat(published.json().get("routed").asBoolean()).isTrue();
        String binary = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 1});
        api().post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"debug\",\"payload\":\"" + binary + "\",\"payload_encoding\":\"base64\"}");

        ApiClient.Answer look = api().post("/api/queues/%2F/debug/get", "{\"count\":5,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}");
        assertThat(look.status()).isEqualTo(200);
        assertThat(look.json()).hasSize(2);
        JsonNode first = look.json().get(0);
        assertThat(first.get("payload").asText()).isEqualTo("hello");
        assertThat(first.get("payload_encoding").asText()).isEqualTo("string");
        assertThat(first.get("message_count").asLong()).isEqualTo(1);
        assertThat(first.at("/properties/headers/who").asText()).isEqualTo("api");
        assertThat(first.at("/properties/headers/n").asLong()).isEqualTo(7);
        assertThat(first.at("/properties/correlation_id").asText()).isEqualTo("c-1");
        assertThat(look.json().get(1).get("payload_encoding").asText()).isEqualTo("base64");
        assertThat(look.json().get(1).get("payload").asText()).isEqualTo(binary);

        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            GetResponse viaAmqp = ch.basicGet("debug", false);
            assertThat(new String(viaAmqp.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(viaAmqp.getProps().getContentType()).isEqualTo("text/plain");
            assertThat(viaAmqp.getEnvelope().isRedeliver()).isTrue();
            ch.basicNack(viaAmqp.getEnvelope().getDeliveryTag(), false, true);
        }

        ApiClient.Answer taken = api().post("/api/queues/%2F/debug/get", "{\"count\":1,\"ackmode\":\"ack_requeue_false\"}");
        assertThat(taken.json()).hasSize(1);
        await().untilAsserted(() -> assertThat(api().get("/api/queues/%2F/debug").json().get("messages").asLong()).isEqualTo(1));

        ApiClient.Answer deleteNonEmpty = api().delete("/api/queues/%2F/debug?if-empty=true");
        assertThat(deleteNonEmpty.status()).isEqualTo(409);
        assertThat(api().delete("/api/queues/%2F/debug/contents").status()).isEqualTo(204);
        await().untilAsserted(() -> assertThat(api().get("/api/queues/%2F/debug").json().get("messages").asLong()).isZero());
        assertThat(api().delete("/api/queues/%2F/debug?if-empty=true").status()).isEqualTo(204);
        assertThat(api().get("/api/queues/%2F/debug").status()).isEqualTo(404);

        ApiClient.Answer badMode = api().post("/api/queues/%2F/orders-none/get", "{\"ackmode\":\"maybe\"}");
        assertThat(badMode.status()).isEqualTo(400);
        assertThat(badMode.json().get("field").asText()).isEqualTo("ackmode");
        ApiClient.Answer badProperty = api().post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"x\",\"payload\":\"y\",\"properties\":{\"delivery_mod\":2}}");
        assertThat(badProperty.json().get("field").asText()).isEqualTo("properties.delivery_mod");
        ApiClient.Answer noKey = api().post("/api/exchanges/%2F/amq.default/publish", "{\"payload\":\"y\"}");
        assertThat(noKey.json().get("field").asText()).isEqualTo("routing_key");
    }

    @Test
    void shouldPublishABatchInOrderOrNothingOfAnInvalidOne() throws Exception {
        assertThat(api().put("/api/queues/%2F/batch", "{}").status()).isEqualTo(201);
        StringBuilder messages = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            messages.append(i == 0 ? "" : ",").append("{\"routing_key\":\"batch\",\"payload\":\"m").append(i).append("\"}");
        }
        ApiClient.Answer ok = api().post("/api/exchanges/%2F/amq.default/publish-batch", "{\"messages\":[" + messages + "]}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("published").asInt()).isEqualTo(500);
        assertThat(ok.json().get("routed").asInt()).isEqualTo(500);
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            for (int i = 0; i < 500; i++) {
                GetResponse got = ch.basicGet("batch", true);
                assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
            }
        }

        ApiClient.Answer bad = api().post("/api/exchanges/%2F/amq.default/publish-batch",
                "{\"messages\":[{\"routing_key\":\"batch\",\"payload\":\"fine\"},{\"payload\":\"no key\"}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("messages[1].routing_key");
        ApiClient.Answer badProperty = api().post("/api/exchanges/%2F/amq.default/publish-batch",
                "{\"messages\":[{\"routing_key\":\"batch\",\"payload\":\"x\",\"properties\":{\"priority\":999}}]}");
        assertThat(badProperty.json().get("field").asText()).isEqualTo("messages[0].properties.priority");
        assertThat(api().get("/api/queues/%2F/batch").json().get("messages").asLong()).isZero();
    }

    @Test
    void shouldNotTouchAnotherConnectionsExclusiveQueue() throws Exception {
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            JsonNode shown = api().get("/api/queues/%2F/" + q).json();
            assertThat(shown.get("exclusive").asBoolean()).isTrue();
            assertThat(api().delete("/api/queues/%2F/" + q + "/contents").status()).isEqualTo(409);
        }
    }

    @Test
    void shouldDeclareExchangesBindAndRouteThroughThem() throws Exception {
        assertThat(api().put("/api/exchanges/%2F/events", "{\"type\":\"topic\",\"durable\":true}").status()).isEqualTo(201);
        assertThat(api().put("/api/exchanges/%2F/events", "{\"type\":\"topic\",\"durable\":true}").status()).isEqualTo(204);
        assertThat(api().put("/api/exchanges/%2F/events", "{\"type\":\"fanout\"}").status()).isEqualTo(409);
        ApiClient.Answer badType = api().put("/api/exchanges/%2F/weird", "{\"type\":\"sideways\"}");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.json().get("field").asText()).isEqualTo("type");
        assertThat(api().put("/api/exchanges/%2F/untyped", "{}").json().get("field").asText()).isEqualTo("type");
        assertThat(api().put("/api/queues/%2F/eu-orders", "{}").status()).isEqualTo(201);

        ApiClient.Answer bound = api().post("/api/bindings/%2F/e/events/q/eu-orders", "{\"routing_key\":\"order.eu.#\"}");
        assertThat(bound.status()).isEqualTo(201);
        assertThat(bound.header("Location")).isEqualTo("/api/bindings/%2F/e/events/q/eu-orders/order.eu.%23");
        JsonNode one = api().get(bound.header("Location")).json();
        assertThat(one.get("routing_key").asText()).isEqualTo("order.eu.#");
        assertThat(api().get("/api/exchanges/%2F/events/bindings/source").json().findValuesAsText("destination")).containsExactly("eu-orders");
        assertThat(api().get("/api/queues/%2F/eu-orders/bindings").json().findValuesAsText("source")).containsExactly("", "events");

        ApiClient.Answer routed = api().post("/api/exchanges/%2F/events/publish", "{\"routing_key\":\"order.eu.de\",\"payload\":\"o1\"}");
        assertThat(routed.json().get("routed").asBoolean()).isTrue();
        ApiClient.Answer unrouted = api().post("/api/exchanges/%2F/events/publish", "{\"routing_key\":\"order.us\",\"payload\":\"o2\"}");
        assertThat(unrouted.json().get("routed").asBoolean()).isFalse();
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            assertThat(ch.queueDeclarePassive("eu-orders").getMessageCount()).isEqualTo(1);
            // Bindings made by AMQP clients show too.
            ch.exchangeDeclare("audit", "fanout", true);
            ch.exchangeBind("audit", "events", "#", Map.of("x-note", "all"));
        }
        JsonNode e2e = api().get("/api/bindings/%2F/e/events/e/audit").json();
        assertThat(e2e).hasSize(1);
        String props = e2e.get(0).get("properties_key").asText();
        assertThat(props).startsWith("#~");
        assertThat(api().get("/api/exchanges/%2F/audit/bindings/destination").json()).hasSize(1);

        assertThat(api().delete("/api/exchanges/%2F/events?if-unused=true").status()).isEqualTo(409);
        assertThat(api().delete("/api/bindings/%2F/e/events/e/audit/" + props.replace("#", "%23")).status()).isEqualTo(204);
        assertThat(api().delete("/api/bindings/%2F/e/events/q/eu-orders/order.eu.%23").status()).isEqualTo(204);
        assertThat(api().get("/api/bindings/%2F/e/events/q/eu-orders/order.eu.%23").status()).isEqualTo(404);
        assertThat(api().delete("/api/exchanges/%2F/events?if-unused=true").status()).isEqualTo(204);
        assertThat(api().get("/api/exchanges/%2F/events").status()).isEqualTo(404);
        assertThat(api().delete("/api/exchanges/%2F/amq.topic").status()).isEqualTo(403);
        List<String> names = new ArrayList<>(api().get("/api/exchanges/%2F").json().findValuesAsText("name"));
        assertThat(names).contains("", "amq.direct", "amq.topic", "audit");
    }

    @Test
    void shouldRefuseAnInvalidBindingKeyAsBadInput() {
        api().put("/api/exchanges/%2F/hash", "{\"type\":\"x-consistent-hash\"}");
        api().put("/api/queues/%2F/hash-q", "{}");
        ApiClient.Answer a = api().post("/api/bindings/%2F/e/hash/q/hash-q", "{\"routing_key\":\"heavy\"}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().get("field").asText()).isEqualTo("routing_key");
        assertThat(api().post("/api/bindings/%2F/e/hash/q/hash-q", "{\"routing_key\":\"3\"}").status()).isEqualTo(201);
        assertThat(api().post("/api/bindings/%2F/e/nope/q/hash-q", "{}").status()).isEqualTo(404);
    }

    @Test
    void shouldDeleteQueuesDeclaredByClients() throws Exception {
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            ch.queueDeclare("doomed", true, false, false, null);
            ch.basicPublish("", "doomed", new AMQP.BasicProperties(), new byte[] {1});
        }
        assertThat(api().delete("/api/queues/%2F/doomed").status()).isEqualTo(204);
        try (Connection c = amqp()) {
            Channel ch = c.createChannel();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.queueDeclarePassive("doomed"))
                    .hasStackTraceContaining("NOT_FOUND");
        }
    }
}
