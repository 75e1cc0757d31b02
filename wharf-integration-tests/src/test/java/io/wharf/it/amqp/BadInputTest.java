package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.wharf.protocol.amqp.codec.BasicMethod;
import io.wharf.protocol.amqp.codec.ChannelMethod;
import io.wharf.protocol.amqp.codec.ConnectionMethod;
import io.wharf.protocol.amqp.codec.QueueMethod;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Input real clients would not send: the broker answers with RabbitMQ's reply codes and stays up. */
class BadInputTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().with("amqp.frame-max", "8KiB");

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    @AfterEach
    void brokerStillServes() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("alive", false, false, true, null);
        ch.basicPublish("", "alive", null, bytes("still here"));
        assertThat(text(ch.basicGet("alive", true).getBody())).isEqualTo("still here");
    }

    private RawAmqp raw() throws Exception {
        return new RawAmqp(wharf.amqpPort());
    }

    /** A client gone before its basic.get is answered leaves nothing taken: the message goes back to the queue. */
    @Test
    void shouldReturnWhatAGetTookForAClientThatVanished() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("vanishing-gets", false, false, false, null);
        int messages = 20;
        for (int i = 0; i < messages; i++) {
            ch.basicPublish("", "vanishing-gets", null, bytes("m" + i));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("vanishing-gets") == messages);
        for (int i = 0; i < messages; i++) {
            try (RawAmqp c = raw().open()) {
                // The socket closes as soon as the get is sent, before or after the answer comes.
                c.send(1, new BasicMethod.Get(0, "vanishing-gets", false));
            }
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> ch.messageCount("vanishing-gets") == messages);
        ch.queueDelete("vanishing-gets");
    }

    @Test
    void shouldAnswerAWrongProtocolHeaderWithItsOwnAndClose() throws Exception {
        try (RawAmqp c = raw()) {
            c.sendBytes(new byte[] {'A', 'M', 'Q', 'P', 1, 1, 8, 0});

            assertThat(c.readExactly(8)).containsExactly('A', 'M', 'Q', 'P', 0, 0, 9, 1);
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void shouldAnswerAnHttpRequestWithItsHeaderAndClose() throws Exception {
        try (RawAmqp c = raw()) {
            c.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(c.readExactly(8)).containsExactly('A', 'M', 'Q', 'P', 0, 0, 9, 1);
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void shouldCloseWithFrameErrorOnAMissingFrameEnd() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.sendFrame(1, 1, RawAmqp.methodPayload(60, 10, new byte[] {0, 0, 0, 0, 0, 1, 0}), 0x00);

            RawAmqp.RawFrame close = c.readMethod(10, 50);
            assertThat(close.replyCode()).isEqualTo(501);
            assertThat(close.replyText()).startsWith("FRAME_ERROR");
        }
    }

    @Test
    void shouldCloseWithFrameErrorOnAFrameLargerThanNegotiated() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.sendFrame(3, 1, new byte[20_000], 0xCE);

            RawAmqp.RawFrame close = c.readMethod(10, 50);
            assertThat(close.replyCode()).isEqualTo(501);
            assertThat(close.replyText()).contains("frame-max");
        }
    }

    @Test
    void shouldCloseWithNotImplementedOnAnUnknownMethod() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.sendFrame(1, 1, RawAmqp.methodPayload(60, 999, new byte[0]), 0xCE);

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(540);
        }
    }

    @Test
    void shouldCloseWithSyntaxErrorOnTruncatedArguments() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.sendFrame(1, 1, RawAmqp.methodPayload(50, 10, new byte[] {0, 0, 10, 'q'}), 0xCE);

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(502);
        }
    }

    @Test
    void shouldCloseWithChannelErrorOnAChannelNeverOpened() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.send(7, new QueueMethod.Declare(0, "q", false, false, false, true, false, Map.of()));

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(504);
        }
    }

    @Test
    void shouldCloseWithChannelErrorOnASecondOpenOfTheSameChannel() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.send(1, new ChannelMethod.Open(""));

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(504);
        }
    }

    @Test
    void shouldCloseWithUnexpectedFrameOnContentWithoutAMethod() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.sendFrame(3, 1, new byte[] {1, 2, 3}, 0xCE);

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(505);
        }
    }

    @Test
    void shouldCloseWithUnexpectedFrameOnAMethodWhereContentBelongs() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.send(1, new BasicMethod.Publish(0, "", "q", false, false));
            c.send(1, new QueueMethod.Declare(0, "q", false, false, false, true, false, Map.of()));

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(505);
        }
    }

    @Test
    void shouldCloseWithCommandInvalidOnAServerMethodFromTheClient() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.send(1, new BasicMethod.Deliver("tag", 1, false, "", "q"));

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(503);
        }
    }

    @Test
    void shouldCloseWithCommandInvalidOnAMethodBeforeTheHandshakeIsDone() throws Exception {
        try (RawAmqp c = raw()) {
            c.sendHeader();
            c.readMethod(10, 10);

            c.send(0, new ConnectionMethod.Open("/", "", false));

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(503);
        }
    }

    @Test
    void shouldCloseWithFrameErrorOnAHeartbeatOnAChannel() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.sendFrame(8, 1, new byte[0], 0xCE);

            assertThat(c.readMethod(10, 50).replyCode()).isEqualTo(501);
        }
    }

    @Test
    void shouldIgnoreMethodsOnAClosingChannelUntilCloseOk() throws Exception {
        try (RawAmqp c = raw().open()) {
            c.send(1, new QueueMethod.Declare(0, "nope", true, false, false, false, false, Map.of()));
            RawAmqp.RawFrame close = c.readMethod(20, 40);
            assertThat(close.replyCode()).isEqualTo(404);

            c.send(1, new QueueMethod.Declare(0, "ignored", false, false, false, true, false, Map.of()));
            c.send(1, new ChannelMethod.CloseOk());
            c.send(1, new ChannelMethod.Open(""));

            assertThat(c.readMethod(20, 11).channel()).isEqualTo(1);
        }
    }

    @Test
    void shouldCloseTheChannelOnAMessageOverTheSizeLimitAndOnAnUnknownExchange() throws Exception {
        AMQP.Channel.Close noExchange = channelClose(() -> {
            Channel ch = channel();
            ch.basicPublish("missing", "k", null, bytes("x"));
            ch.queueDeclare();
        });
        assertThat(noExchange.getReplyCode()).isEqualTo(404);
        assertThat(noExchange.getReplyText()).isEqualTo("NOT_FOUND - no exchange 'missing' in vhost '/'");
    }

    @Test
    void shouldRejectAnInvalidExpiration() {
        AMQP.Channel.Close close = channelClose(() -> {
            Channel ch = channel();
            ch.basicPublish("", "q", new AMQP.BasicProperties.Builder().expiration("soon").build(), bytes("x"));
            ch.queueDeclare();
        });

        assertThat(close.getReplyCode()).isEqualTo(406);
        assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - invalid expiration 'soon': no_integer");
    }

    @Test
    void shouldCloseAConnectionWhoseClientMissesItsHeartbeats() throws Exception {
        try (RawAmqp c = raw()) {
            c.sendHeader();
            c.readMethod(10, 10);
            c.send(0, new ConnectionMethod.StartOk(Map.of(), "PLAIN", "\0guest\0guest".getBytes(StandardCharsets.UTF_8), "en_US"));
            c.readMethod(10, 30);
            c.send(0, new ConnectionMethod.TuneOk(2047, 0, 1));
            c.send(0, new ConnectionMethod.Open("/", "", false));
            c.readMethod(10, 41);

            assertThat(c.closedByBroker()).as("the broker closes the silent connection").isTrue();
        }
    }
}
