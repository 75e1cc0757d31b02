package io.wharf.it.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.it.support.ApiClient;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every documented route, called with odd names and bodies: the API answers each with a 2xx or a
 * 4xx and a JSON reason, never with a 500.
 */
class ApiBadInputTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private static final List<String> NAMES = List.of("%2F", "x", "a%00b", "%E2%82%AC", "amq.default",
            "x".repeat(300), "..", "a%2Fb");
    private static final List<String> BODIES = List.of("", "null", "[]", "7", "{\"x\":1}", "{\"durable\":{}}",
            "{\"arguments\":[1]}", "{\"type\":null}", "{\"routing_key\":5,\"payload\":[]}", "{\"count\":-1}",
            "{\"partitions\":\"many\"}", "{\"properties\":{\"headers\":5}}", "{\"tags\":{}}", "{\"configure\":1}",
            "{\"payload\":\"%%%\",\"routing_key\":\"k\",\"payload_encoding\":\"base64\"}", "\u0000\u00ff");

    @Test
    void shouldAnswerOddInputWithoutAServerError() {
        ApiClient api = new ApiClient(wharf.httpPort(), "guest", "guest");
        JsonNode paths = api.get("/api/openapi.json").json().get("paths");
        List<String> failures = new ArrayList<>();
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(method -> {
            for (String name : NAMES) {
                String path = p.getKey().replaceAll("\\{[^}]+}", name);
                for (String body : method.equals("get") || method.equals("delete") ? List.of("") : BODIES) {
                    ApiClient.Answer a = api.call(method.toUpperCase(), path, body.isEmpty() ? null : body);
                    if (a.status() >= 500) {
                        failures.add(method + " " + path + " " + body + " -> " + a.status() + " " + a.raw().body());
                    } else if (a.status() >= 400 && !path.equals("/metrics")) {
                        if (!a.json().has("reason")) {
                            failures.add(method + " " + path + " " + body + " -> " + a.status() + " without a JSON reason");
                        }
                    }
                }
            }
        }));
        assertThat(failures).isEmpty();
        assertThat(api.get("/health").status()).isEqualTo(200);
    }
}
