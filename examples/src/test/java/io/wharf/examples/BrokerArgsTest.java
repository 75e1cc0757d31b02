package io.wharf.examples;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerArgsTest {

    @Test
    void shouldTakeTheUriFromTheFirstArgument() {
        BrokerArgs args = BrokerArgs.parse(new String[] {"amqp://u:p@broker:5673/v", "error", "boom"},
                Map.of(BrokerArgs.ENV_VARIABLE, "amqp://other"));

        assertThat(args.uri()).isEqualTo("amqp://u:p@broker:5673/v");
        assertThat(args.rest()).containsExactly("error", "boom");
    }

    @Test
    void shouldFallBackToTheEnvironmentVariable() {
        BrokerArgs args = BrokerArgs.parse(new String[] {"error"}, Map.of(BrokerArgs.ENV_VARIABLE, "amqps://broker"));

        assertThat(args.uri()).isEqualTo("amqps://broker");
        assertThat(args.rest()).containsExactly("error");
    }

    @Test
    void shouldFallBackToTheLocalBroker() {
        BrokerArgs args = BrokerArgs.parse(new String[0], Map.of());

        assertThat(args.uri()).isEqualTo("amqp://guest:guest@localhost:5672/%2F");
        assertThat(args.rest()).isEmpty();
        assertThat(args.connectionFactory().getVirtualHost()).isEqualTo("/");
        assertThat(args.connectionFactory().getPort()).isEqualTo(5672);
    }

    @Test
    void shouldRejectAMalformedUri() {
        assertThatThrownBy(() -> BrokerArgs.connectionFactory("http://localhost"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://localhost");
    }
}
