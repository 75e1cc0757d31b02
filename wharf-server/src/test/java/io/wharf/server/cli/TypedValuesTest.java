package io.wharf.server.cli;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TypedValuesTest {

    @Test
    void shouldSendNumbersAsNumbersBooleansAsBooleansAndTheRestAsStrings() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("x-max-length", "1000");
        given.put("x-message-ttl", "-1");
        given.put("x-ratio", "0.5");
        given.put("x-single-active-consumer", "true");
        given.put("x-dead-letter-exchange", "dlx");
        given.put("x-version", "1.2.3");
        given.put("x-huge", "123456789012345678901234");

        assertThat(TypedValues.of(given)).containsExactly(
                Map.entry("x-max-length", 1000L), Map.entry("x-message-ttl", -1L), Map.entry("x-ratio", new BigDecimal("0.5")),
                Map.entry("x-single-active-consumer", true), Map.entry("x-dead-letter-exchange", "dlx"),
                Map.entry("x-version", "1.2.3"), Map.entry("x-huge", "123456789012345678901234"));
    }

    @Test
    void shouldWriteThemAsJsonNumbersAndBooleans() throws Exception {
        Map<String, Object> typed = TypedValues.of(Map.of("x-max-length", "1000"));

        assertThat(ApiClient.JSON.writeValueAsString(typed)).isEqualTo("{\"x-max-length\":1000}");
    }
}
