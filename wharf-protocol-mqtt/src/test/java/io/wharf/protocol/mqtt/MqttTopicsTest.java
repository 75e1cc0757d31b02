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
}
