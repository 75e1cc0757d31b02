package io.wharf.it.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AmqpSmokeTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldPublishAndGetAMessage() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf.amqpPort());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("smoke", true, false, false, null);
            ch.confirmSelect();
            ch.basicPublish("", "smoke", null, "hello".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            GetResponse r = ch.basicGet("smoke", true);
            assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }
}
