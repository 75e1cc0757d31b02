package io.wharf.server.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiClientTest {

    @Test
    void shouldPercentEncodeEverySegmentOfAPath() {
        assertThat(ApiClient.path("queues", "/", "orders")).isEqualTo("/api/queues/%2F/orders");
        assertThat(ApiClient.path("queues", "test/a", "a b+c?d#e%f")).isEqualTo("/api/queues/test%2Fa/a%20b%2Bc%3Fd%23e%25f");
        assertThat(ApiClient.path("connections", "127.0.0.1:53120 -> 127.0.0.1:5672"))
                .isEqualTo("/api/connections/127.0.0.1%3A53120%20-%3E%20127.0.0.1%3A5672");
    }

    @Test
    void shouldMapErrorStatusesToExitCodes() {
        assertThat(ExitCodes.forStatus(400)).isEqualTo(6);
        assertThat(ExitCodes.forStatus(401)).isEqualTo(4);
        assertThat(ExitCodes.forStatus(403)).isEqualTo(4);
        assertThat(ExitCodes.forStatus(404)).isEqualTo(3);
        assertThat(ExitCodes.forStatus(409)).isEqualTo(5);
        assertThat(ExitCodes.forStatus(405)).isEqualTo(1);
        assertThat(ExitCodes.forStatus(413)).isEqualTo(1);
        assertThat(ExitCodes.forStatus(500)).isEqualTo(1);
        assertThat(ExitCodes.forStatus(503)).isEqualTo(1);
    }
}
