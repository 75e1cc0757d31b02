package io.wharf.core.exchange;

import io.wharf.core.BrokerException;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExchangeRoutingTest {

    private static Exchange exchange(String type, Map<String, Object> args) {
        return Exchanges.create(new ExchangeDefinition("x", type, false, false, false, args));
    }

    private static Message message(String routingKey, Map<String, Object> headers) {
        MessageProperties p = MessageProperties.builder().headers(headers).messageId("m-" + routingKey).build();
        return Message.of("x", routingKey, p, "body".getBytes(StandardCharsets.UTF_8), 0);
    }

    private static Set<String> routed(Exchange e, Message m) {
        Set<String> out = new LinkedHashSet<>();
        e.route(m, b -> out.add(b.destination()));
        return out;
    }

    private static void bind(Exchange e, String queue, String key) {
        bind(e, queue, key, Map.of());
    }

    private static void bind(Exchange e, String queue, String key, Map<String, Object> args) {
        Binding b = Binding.toQueue("x", queue, key, args);
        e.validate(b);
        e.bind(b);
    }

    @Test
    void shouldRouteDirectByExactKey() {
        Exchange e = exchange(Exchanges.DIRECT, Map.of());
        bind(e, "q1", "error");
        bind(e, "q2", "error");
        bind(e, "q3", "info");

        assertThat(routed(e, message("error", null))).containsExactlyInAnyOrder("q1", "q2");
        assertThat(routed(e, message("warning", null))).isEmpty();
    }

    @Test
    void shouldRouteFanoutToEveryBinding() {
        Exchange e = exchange(Exchanges.FANOUT, Map.of());
        bind(e, "q1", "");
        bind(e, "q2", "ignored");

        assertThat(routed(e, message("anything", null))).containsExactlyInAnyOrder("q1", "q2");
    }

    @Test
    void shouldMatchTopicWildcards() {
        Exchange e = exchange(Exchanges.TOPIC, Map.of());
        bind(e, "star", "*.orange.*");
        bind(e, "rabbit", "*.*.rabbit");
        bind(e, "lazy", "lazy.#");
        bind(e, "all", "#");
        bind(e, "exact", "a.b.c");
        bind(e, "empty", "");
        bind(e, "hashes", "a.#.#.z");

        assertThat(routed(e, message("quick.orange.rabbit", null))).containsExactlyInAnyOrder("star", "rabbit", "all");
        assertThat(routed(e, message("lazy.orange.elephant", null))).containsExactlyInAnyOrder("star", "lazy", "all");
        assertThat(routed(e, message("lazy", null))).containsExactlyInAnyOrder("lazy", "all");
        assertThat(routed(e, message("quick.orange.male.rabbit", null))).containsExactlyInAnyOrder("all");
        assertThat(routed(e, message("a.b.c", null))).containsExactlyInAnyOrder("exact", "all");
        assertThat(routed(e, message("", null))).containsExactlyInAnyOrder("empty", "all");
        assertThat(routed(e, message("a.z", null))).contains("hashes");
        assertThat(routed(e, message("a.x.y.z", null))).contains("hashes");
    }

    @Test
    void shouldForgetTopicBindingsThatWereRemoved() {
        Exchange e = exchange(Exchanges.TOPIC, Map.of());
        bind(e, "q", "a.*");
        e.unbind(Binding.toQueue("x", "q", "a.*", Map.of()));

        assertThat(routed(e, message("a.b", null))).isEmpty();
        assertThat(e.hasBindings()).isFalse();
    }

    @Test
    void shouldMatchHeadersAllAndAny() {
        Exchange e = exchange(Exchanges.HEADERS, Map.of());
        bind(e, "all", "", Map.of("x-match", "all", "format", "pdf", "type", "report"));
        bind(e, "any", "", Map.of("x-match", "any", "format", "pdf", "type", "log"));
        Map<String, Object> presence = new HashMap<>();
        presence.put("x-match", "all");
        presence.put("flag", null);
        bind(e, "presence", "", presence);

        assertThat(routed(e, message("", Map.of("format", "pdf", "type", "report")))).containsExactlyInAnyOrder("all", "any");
        assertThat(routed(e, message("", Map.of("type", "log")))).containsExactly("any");
        assertThat(routed(e, message("", Map.of("format", "pdf")))).containsExactly("any");
        assertThat(routed(e, message("", Map.of("flag", 42)))).containsExactly("presence");
        assertThat(routed(e, message("", Map.of("format", "png")))).isEmpty();
    }

    @Test
    void shouldCompareHeaderNumbersByValue() {
        Exchange e = exchange(Exchanges.HEADERS, Map.of());
        bind(e, "q", "", Map.of("n", 7));

        assertThat(routed(e, message("", Map.of("n", 7L)))).containsExactly("q");
        assertThat(routed(e, message("", Map.of("n", "7".getBytes())))).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownXMatch() {
        Exchange e = exchange(Exchanges.HEADERS, Map.of());

        assertThatThrownBy(() -> bind(e, "q", "", Map.of("x-match", "some")))
                .isInstanceOfSatisfying(BrokerException.class, b -> assertThat(b.kind()).isEqualTo(BrokerException.Kind.PRECONDITION_FAILED));
    }

    @Test
    void shouldSpreadKeysByWeightAndMoveFewWhenAQueueIsAdded() {
        Exchange e = exchange(Exchanges.CONSISTENT_HASH, Map.of());
        bind(e, "q1", "10");
        bind(e, "q2", "10");
        bind(e, "q3", "20");
        Map<String, String> before = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String dest = routed(e, message("key-" + i, null)).iterator().next();
            before.put("key-" + i, dest);
            counts.merge(dest, 1, Integer::sum);
        }
        assertThat(counts.get("q3")).isGreaterThan(counts.get("q1")).isGreaterThan(4_000);
        assertThat(counts.get("q1")).isGreaterThan(2_000);

        bind(e, "q4", "10");

        int moved = 0;
        for (Map.Entry<String, String> k : before.entrySet()) {
            String now = routed(e, message(k.getKey(), null)).iterator().next();
            if (!now.equals(k.getValue())) {
                assertThat(now).as("a key only moves to the new queue").isEqualTo("q4");
                moved++;
            }
        }
        assertThat(moved).isBetween(1_000, 8_000);
    }

    @Test
    void shouldHashAHeaderWhenAsked() {
        Exchange e = exchange(Exchanges.CONSISTENT_HASH, Map.of("hash-header", "user"));
        bind(e, "q1", "5");
        bind(e, "q2", "5");

        Set<String> forAlice = new LinkedHashSet<>();
        for (int i = 0; i < 50; i++) {
            forAlice.addAll(routed(e, message("rk-" + i, Map.of("user", "alice"))));
        }
        assertThat(forAlice).hasSize(1);
    }

    @Test
    void shouldRejectANonNumericConsistentHashWeight() {
        Exchange e = exchange(Exchanges.CONSISTENT_HASH, Map.of());

        assertThatThrownBy(() -> bind(e, "q", "heavy")).hasMessageContaining("weight");
    }

    @Test
    void shouldPickOneRandomBinding() {
        Exchange e = exchange(Exchanges.RANDOM, Map.of());
        bind(e, "q1", "");
        bind(e, "q2", "");
        bind(e, "q3", "");
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Set<String> r = routed(e, message("k", null));
            assertThat(r).hasSize(1);
            picks.addAll(r);
        }
        assertThat(new LinkedHashSet<>(picks)).containsExactlyInAnyOrder("q1", "q2", "q3");
    }

    @Test
    void shouldRefuseAnUnknownTypeAndADelayedExchangeWithoutAnInnerType() {
        assertThatThrownBy(() -> exchange("x-nope", Map.of())).isInstanceOfSatisfying(BrokerException.class,
                b -> assertThat(b.kind()).isEqualTo(BrokerException.Kind.COMMAND_INVALID));
        assertThatThrownBy(() -> exchange(Exchanges.DELAYED, Map.of())).hasMessageContaining("x-delayed-type");
        Exchange delayed = exchange(Exchanges.DELAYED, Map.of("x-delayed-type", "topic"));
        bind(delayed, "q", "a.*");
        assertThat(routed(delayed, message("a.b", Map.of("x-delay", 100)))).containsExactly("q");
    }
}
