package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.AsyncRabbitTemplate;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AMQP's templates against Wharf: both find direct reply-to the way they find it on
 * RabbitMQ (a passive declare of {@code amq.rabbitmq.reply-to}) and use it, rather than falling
 * back to a queue per call or reopening channels in a loop.
 */
class SpringAmqpTest extends AmqpTestSupport {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    private final Queue<String> replyAddresses = new ConcurrentLinkedQueue<>();
    private CachingConnectionFactory connections;
    private final List<RabbitTemplate> templates = new ArrayList<>();

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    @BeforeEach
    void startServer() throws Exception {
        Channel server = channel();
        server.queueDeclare("rpc", false, false, true, null);
        server.basicConsume("rpc", true, (tag, d) -> {
            replyAddresses.add(d.getProperties().getReplyTo());
            AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                    .correlationId(d.getProperties().getCorrelationId()).build();
            server.basicPublish("", d.getProperties().getReplyTo(), reply, bytes(text(d.getBody()).toUpperCase()));
        }, tag -> { });
        connections = new CachingConnectionFactory("127.0.0.1", wharf.amqpPort());
    }

    @AfterEach
    void closeFactory() {
        // A template's reply container reconnects until stopped, also once the broker has gone.
        templates.forEach(RabbitTemplate::stop);
        connections.destroy();
    }

    private RabbitTemplate template() {
        RabbitTemplate t = new RabbitTemplate(connections);
        templates.add(t);
        return t;
    }

    private static Message request(String text) {
        return new Message(bytes(text), new MessageProperties());
    }

    @Test
    void shouldSendAndReceiveThroughDirectReplyToWithRabbitTemplate() {
        RabbitTemplate template = template();
        template.setReplyTimeout(30_000);

        for (int i = 0; i < 5; i++) {
            Message reply = template.sendAndReceive("", "rpc", request("ping " + i));
            assertThat(reply).isNotNull();
            assertThat(text(reply.getBody())).isEqualTo("PING " + i);
        }

        assertThat(replyAddresses).hasSize(5).allSatisfy(a -> assertThat(a).startsWith("amq.rabbitmq.reply-to."));
    }

    @Test
    void shouldSendAndReceiveThroughDirectReplyToWithAsyncRabbitTemplate() throws Exception {
        RabbitTemplate template = template();
        AsyncRabbitTemplate async = new AsyncRabbitTemplate(template);
        async.setReceiveTimeout(30_000);
        async.start();
        try {
            List<CompletableFuture<Message>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(async.sendAndReceive("", "rpc", request("call " + i)));
            }
            for (int i = 0; i < 20; i++) {
                Message reply = futures.get(i).get(30, TimeUnit.SECONDS);
                assertThat(text(reply.getBody())).isEqualTo("CALL " + i);
            }
        } finally {
            async.stop();
        }

        assertThat(replyAddresses).hasSize(20).allSatisfy(a -> assertThat(a).startsWith("amq.rabbitmq.reply-to."));
    }
}
