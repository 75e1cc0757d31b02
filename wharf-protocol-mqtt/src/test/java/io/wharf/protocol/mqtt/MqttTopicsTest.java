package io.wharf.protocol.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MqttTopicsTest {

    @Test
    void shouldMatchAsMqttDoes() {
        assertThat(MqttTopics.matches("a/+/c", "a/b/c")).isTrue();
        assertThat(MqttTopics.matches("a/+/c", "a/b/d")).isFalse();
        assertThat(MqttTopics.matches("a/+", "a/")).isTrue();
        assertThat(MqttTopics.matches("a/#", "a")).isTrue();
        assertThat(MqttTopics.matches("a/#", "a/b/c")).isTrue();
        assertThat(MqttTopics.matches("#", "a/b")).isTrue();
        assertThat(MqttTopics.matches("#", "$SYS/uptime")).isFalse();
        assertThat(MqttTopics.matches("+/uptime", "$SYS/uptime")).isFalse();
        assertThat(MqttTopics.matches("$SYS/#", "$SYS/uptime")).isTrue();
        assertThat(MqttTopics.matches("a/b", "a/b/c")).isFalse();
    }

    @Test
    void shouldMapTopicsAndFiltersOntoTheTopicExchange() {
        assertThat(MqttTopics.toRoutingKey("sensors/hall/temp")).isEqualTo("sensors.hall.temp");
        assertThat(MqttTopics.toRoutingKey("v1.2/x")).isEqualTo("v1/2.x");
        assertThat(MqttTopics.fromRoutingKey("v1/2.x")).isEqualTo("v1.2/x");
        assertThat(MqttTopics.toBindingKey("sensors/+/temp")).isEqualTo("sensors.*.temp");
        assertThat(MqttTopics.toBindingKey("alarms/#")).isEqualTo("alarms.#");
    }

    @Test
    void shouldRefuseMalformedTopicsAndFilters() {
        assertThat(MqttTopics.filterProblem("a/#/b")).isNotNull();
        assertThat(MqttTopics.filterProblem("a/b#")).isNotNull();
        assertThat(MqttTopics.filterProblem("a/b+/c")).isNotNull();
        assertThat(MqttTopics.filterProblem("")).isNotNull();
        assertThat(MqttTopics.filterProblem("a/+/#")).isNull();
        assertThat(MqttTopics.topicNameProblem("a/+")).isNotNull();
        assertThat(MqttTopics.topicNameProblem("a\0b")).isNotNull();
        assertThat(MqttTopics.topicNameProblem("a/b")).isNull();
    }

    @Test
    void shouldMatchEveryShortFilterAndTopicAsTheLevelByLevelDefinitionSays() {
        // Every filter and topic of up to three levels over a tiny alphabet, against the rule
        // written the plain way: split into levels and compare.
        java.util.List<String> levels = java.util.List.of("", "a", "b", "$x");
        java.util.List<String> topics = combine(levels);
        java.util.List<String> filterLevels = java.util.List.of("", "a", "b", "+", "#", "$x");
        int checked = 0;
        for (String filter : combine(filterLevels)) {
            if (MqttTopics.filterProblem(filter) != null) {
                continue;
            }
            for (String topic : topics) {
                assertThat(MqttTopics.matches(filter, topic)).as("%s ~ %s", filter, topic).isEqualTo(byLevels(filter, topic));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    private static java.util.List<String> combine(java.util.List<String> levels) {
        java.util.List<String> out = new java.util.ArrayList<>(levels);
        for (String a : levels) {
            for (String b : levels) {
                out.add(a + "/" + b);
                for (String c : levels) {
                    out.add(a + "/" + b + "/" + c);
                }
            }
        }
        return out;
    }

    private static boolean byLevels(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || (!f[i].equals("+") && !f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
