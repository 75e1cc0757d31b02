package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;

class RequestReplyTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().vhostPerTest();

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    /** A server that upper-cases requests and replies to reply_to with the same correlation id. */
    private void startServer() throws Exception {
        Channel server = channel();
        server.queueDeclare("rpc", false, false, true, null);
        server.basicConsume("rpc", true, (tag, d) -> {
            AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                    .correlationId(d.getProperties().getCorrelationId()).build();
            server.basicPublish("", d.getProperties().getReplyTo(), reply, bytes(text(d.getBody()).toUpperCase()));
        }, tag -> { });
    }

    @Test
    void shouldAnswerThroughAReplyQueueWithTheCorrelationId() throws Exception {
        startServer();
        Channel client = channel();
        String replyQueue = client.queueDeclare().getQueue();
        LinkedBlockingQueue<Delivery> replies = consume(client, replyQueue, true);

        client.basicPublish("", "rpc", new AMQP.BasicProperties.Builder().replyTo(replyQueue).correlationId("c-1").build(), bytes("hello"));

        Delivery reply = next(replies);
        assertThat(text(reply.getBody())).isEqualTo("HELLO");
        assertThat(reply.getProperties().getCorrelationId()).isEqualTo("c-1");
    }

    @Test
    void shouldAnswerThroughDirectReplyTo() throws Exception {
        startServer();
        Channel client = channel();
        LinkedBlockingQueue<Delivery> replies = consume(client, "amq.rabbitmq.reply-to", true);

        for (int i = 0; i < 3; i++) {
            client.basicPublish("", "rpc", new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to")
                    .correlationId("c-" + i).build(), bytes("ping " + i));
        }

        for (int i = 0; i < 3; i++) {
            Delivery reply = next(replies);
            assertThat(text(reply.getBody())).isEqualTo("PING " + i);
            assertThat(reply.getProperties().getCorrelationId()).isEqualTo("c-" + i);
            assertThat(reply.getEnvelope().getRoutingKey()).startsWith("amq.rabbitmq.reply-to.");
        }
    }

    @Test
    void shouldRefuseDirectReplyToWithoutAReplyConsumer() throws Exception {
        Channel client = channel();

        AMQP.Channel.Close close = channelClose(() -> {
            client.basicPublish("", "rpc", new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(), bytes("x"));
            client.queueDeclare();
        });

        assertThat(close.getReplyCode()).isEqualTo(406);
        assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - fast reply consumer does not exist");
    }

    @Test
    void shouldRefuseAnAcknowledgingReplyConsumer() {
        AMQP.Channel.Close close = channelClose(() -> channel().basicConsume("amq.rabbitmq.reply-to", false, (t, d) -> { }, t -> { }));

        assertThat(close.getReplyCode()).isEqualTo(406);
    }
}
