package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Return;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BasicTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().vhostPerTest();

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    private void fill(Channel ch, String queue, int n) throws Exception {
        ch.queueDeclare(queue, false, false, false, null);
        for (int i = 0; i < n; i++) {
            ch.basicPublish("", queue, null, bytes("m" + i));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount(queue) == n);
    }

    @Test
    void shouldHoldBackDeliveriesBeyondThePrefetchCount() throws Exception {
        Channel producer = channel();
        fill(producer, "work", 10);
        Channel ch = channel();
        ch.basicQos(3);

        LinkedBlockingQueue<Delivery> got = consume(ch, "work", false);

        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() == 3);
        // The broker holds the rest back: seven stay ready while three wait for their acknowledgement.
        assertThat(producer.queueDeclarePassive("work").getMessageCount()).isEqualTo(7);
        assertThat(got).hasSize(3);
        Delivery d = next(got);
        ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() == 3);
        assertThat(producer.queueDeclarePassive("work").getMessageCount()).isEqualTo(6);
    }

    @Test
    void shouldShareAGlobalPrefetchAcrossTheChannelsConsumers() throws Exception {
        Channel producer = channel();
        fill(producer, "a", 5);
        fill(producer, "b", 5);
        Channel ch = channel();
        ch.basicQos(4, true);

        LinkedBlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        ch.basicConsume("a", false, (t, d) -> got.add(d), t -> { });
        ch.basicConsume("b", false, (t, d) -> got.add(d), t -> { });

        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() == 4);
        await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(() -> got.size() == 4);
        ch.basicAck(0, true);
        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() == 8);
    }

    @Test
    void shouldLimitUnacknowledgedBytesWithPrefetchSize() throws Exception {
        Channel producer = channel();
        producer.queueDeclare("sized", false, false, false, null);
        for (int i = 0; i < 5; i++) {
            producer.basicPublish("", "sized", null, new byte[1000]);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> producer.messageCount("sized") == 5);
        Channel ch = channel();
        ch.basicQos(2500, 0, false);

        LinkedBlockingQueue<Delivery> got = consume(ch, "sized", false);

        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() == 2);
        await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(() -> got.size() == 2);
    }

    @Test
    void shouldAckNackAndRejectWithMultipleAndRequeue() throws Exception {
        Channel producer = channel();
        fill(producer, "acks", 6);
        Channel ch = channel();
        LinkedBlockingQueue<Delivery> got = consume(ch, "acks", false);
        List<Delivery> first = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            first.add(next(got));
        }

        ch.basicAck(first.get(1).getEnvelope().getDeliveryTag(), true);
        ch.basicNack(first.get(3).getEnvelope().getDeliveryTag(), true, true);
        ch.basicReject(first.get(4).getEnvelope().getDeliveryTag(), false);
        ch.basicNack(first.get(5).getEnvelope().getDeliveryTag(), false, true);

        Delivery again1 = next(got);
        Delivery again2 = next(got);
        Delivery again3 = next(got);
        assertThat(List.of(text(again1.getBody()), text(again2.getBody()), text(again3.getBody())))
                .containsExactly("m2", "m3", "m5");
        assertThat(again1.getEnvelope().isRedeliver()).isTrue();
        assertThat(first.get(0).getEnvelope().isRedeliver()).isFalse();
        ch.basicAck(0, true);
        await().atMost(10, TimeUnit.SECONDS).until(() -> producer.messageCount("acks") == 0);
    }

    @Test
    void shouldCloseTheChannelOnAnUnknownDeliveryTag() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("q", false, false, true, null);

        AMQP.Channel.Close close = channelClose(() -> {
            ch.basicAck(42, false);
            ch.queueDeclarePassive("q");
        });

        assertThat(close.getReplyCode()).isEqualTo(406);
        assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - unknown delivery tag 42");
    }

    @Test
    void shouldReturnUnackedMessagesInOrderWhenTheChannelCloses() throws Exception {
        Channel producer = channel();
        fill(producer, "ordered", 5);
        Channel ch = channel();
        LinkedBlockingQueue<Delivery> got = consume(ch, "ordered", false);
        for (int i = 0; i < 5; i++) {
            next(got);
        }

        ch.close();

        List<String> after = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            GetResponse r = producer.basicGet("ordered", true);
            assertThat(r.getEnvelope().isRedeliver()).isTrue();
            after.add(text(r.getBody()));
        }
        assertThat(after).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    void shouldRedeliverOnRecover() throws Exception {
        Channel producer = channel();
        fill(producer, "recover", 2);
        Channel ch = channel();
        LinkedBlockingQueue<Delivery> got = consume(ch, "recover", false);
        next(got);
        next(got);

        ch.basicRecover(true);

        assertThat(next(got).getEnvelope().isRedeliver()).isTrue();
        assertThat(next(got).getEnvelope().isRedeliver()).isTrue();
    }

    @Test
    void shouldGetMessagesOneAtATimeWithCounts() throws Exception {
        Channel ch = channel();
        fill(ch, "pull", 3);

        GetResponse r = ch.basicGet("pull", false);

        assertThat(text(r.getBody())).isEqualTo("m0");
        assertThat(r.getMessageCount()).isEqualTo(2);
        ch.basicReject(r.getEnvelope().getDeliveryTag(), true);
        GetResponse again = ch.basicGet("pull", true);
        assertThat(text(again.getBody())).isEqualTo("m0");
        assertThat(again.getEnvelope().isRedeliver()).isTrue();
        ch.basicGet("pull", true);
        ch.basicGet("pull", true);
        assertThat(ch.basicGet("pull", true)).isNull();
    }

    @Test
    void shouldReturnUnroutableMandatoryMessages() throws Exception {
        Channel ch = channel();
        CopyOnWriteArrayList<Return> returns = new CopyOnWriteArrayList<>();
        ch.addReturnListener(returns::add);
        ch.confirmSelect();

        ch.basicPublish("amq.direct", "nobody", true, new AMQP.BasicProperties.Builder().messageId("id-1").build(), bytes("lost"));

        assertThat(ch.waitForConfirms(10_000)).isTrue();
        await().atMost(10, TimeUnit.SECONDS).until(() -> returns.size() == 1);
        Return r = returns.get(0);
        assertThat(r.getReplyCode()).isEqualTo(312);
        assertThat(r.getReplyText()).isEqualTo("NO_ROUTE");
        assertThat(r.getExchange()).isEqualTo("amq.direct");
        assertThat(r.getRoutingKey()).isEqualTo("nobody");
        assertThat(r.getProperties().getMessageId()).isEqualTo("id-1");
        assertThat(text(r.getBody())).isEqualTo("lost");
    }

    @Test
    void shouldTellConsumersWhenTheirQueueIsDeletedAndCancelOnRequest() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("doomed", false, false, false, null);
        CopyOnWriteArrayList<String> cancelled = new CopyOnWriteArrayList<>();
        CancelCallback onCancel = cancelled::add;
        String tag = ch.basicConsume("doomed", true, "my-tag", (t, d) -> { }, onCancel);
        assertThat(tag).isEqualTo("my-tag");

        channel().queueDelete("doomed");

        await().atMost(10, TimeUnit.SECONDS).until(() -> cancelled.contains("my-tag"));
        ch.queueDeclare("kept", false, false, false, null);
        String generated = ch.basicConsume("kept", true, (t, d) -> { }, t -> { });
        assertThat(generated).startsWith("amq.ctag-");
        ch.basicCancel(generated);
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.consumerCount("kept") == 0);
    }

    @Test
    void shouldRefuseAReusedConsumerTagAndASecondExclusiveConsumer() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("ex", false, false, false, null);
        ch.basicConsume("ex", true, "tag", false, true, null, (t, d) -> { }, t -> { });

        AMQP.Channel.Close refused = channelClose(() -> channel().basicConsume("ex", true, (t, d) -> { }, t -> { }));
        assertThat(refused.getReplyCode()).isEqualTo(403);
        assertThat(refused.getReplyText()).isEqualTo("ACCESS_REFUSED - queue 'ex' in vhost '" + wharf.vhost() + "' in exclusive use");
        AMQP.Connection.Close reused = connectionClose(() -> ch.basicConsume("ex", true, "tag", (t, d) -> { }, t -> { }));
        assertThat(reused.getReplyCode()).isEqualTo(530);
        assertThat(reused.getReplyText()).isEqualTo("NOT_ALLOWED - attempt to reuse consumer tag 'tag'");
    }

    @Test
    void shouldPreferHigherPriorityConsumersWhileTheyHaveRoom() throws Exception {
        Channel producer = channel();
        producer.queueDeclare("prio-consumers", false, false, false, null);
        Channel low = channel();
        Channel high = channel();
        high.basicQos(2);
        LinkedBlockingQueue<Delivery> lows = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Delivery> highs = new LinkedBlockingQueue<>();
        low.basicConsume("prio-consumers", true, Map.of("x-priority", 1), (t, d) -> lows.add(d), t -> { });
        high.basicConsume("prio-consumers", false, Map.of("x-priority", 10), (t, d) -> highs.add(d), t -> { });
        await().atMost(10, TimeUnit.SECONDS).until(() -> producer.consumerCount("prio-consumers") == 2);

        for (int i = 0; i < 6; i++) {
            producer.basicPublish("", "prio-consumers", null, bytes("m" + i));
        }

        await().atMost(10, TimeUnit.SECONDS).until(() -> highs.size() + lows.size() == 6);
        assertThat(highs).hasSize(2);
        assertThat(text(highs.peek().getBody())).isEqualTo("m0");
    }

    @Test
    void shouldStopDeliveringWhileTheClientAsksForFlowToPause() throws Exception {
        Channel producer = channel();
        producer.queueDeclare("flow", false, false, false, null);
        Channel ch = channel();
        LinkedBlockingQueue<Delivery> got = consume(ch, "flow", true);
        ch.asyncCompletableRpc(new AMQP.Channel.Flow.Builder().active(false).build()).get(10, TimeUnit.SECONDS);

        producer.basicPublish("", "flow", null, bytes("held"));
        await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(got::isEmpty);
        ch.asyncCompletableRpc(new AMQP.Channel.Flow.Builder().active(true).build()).get(10, TimeUnit.SECONDS);

        assertThat(text(next(got).getBody())).isEqualTo("held");
    }

    /**
     * Bodies of every shape a client sends, through 4 KiB frames: small ones and ones split over
     * frames are copied, the others stay in the frame they arrived in until written. Each comes
     * back byte for byte to a consumer that takes it before it is written, from the disk after a
     * restart, and from a stream.
     */
    @Test
    void shouldKeepBodiesSplitOverFramesAndReadsByteForByte() throws Exception {
        ConnectionFactory f = factory();
        f.setRequestedFrameMax(4096);
        Channel ch = connect(f).createChannel();
        ch.confirmSelect();
        ch.queueDeclare("bodies", true, false, false, null);
        ch.queueDeclare("watched", false, false, false, null);
        ch.queueDeclare("body-stream", true, false, false, Map.of("x-queue-type", "stream"));
        LinkedBlockingQueue<Delivery> watching = consume(channel(), "watched", true);
        Random random = new Random(7);
        List<byte[]> sent = new ArrayList<>();
        for (int size : new int[] {0, 1, 255, 256, 4087, 4088, 4089, 70_000, 1_000_000}) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            sent.add(body);
            for (String queue : List.of("bodies", "watched", "body-stream")) {
                ch.basicPublish("", queue, persistent(), body);
            }
        }
        ch.waitForConfirmsOrDie(30_000);
        for (byte[] body : sent) {
            assertThat(next(watching).getBody()).isEqualTo(body);
        }

        wharf.restart();

        Channel after = channel();
        for (byte[] body : sent) {
            assertThat(after.basicGet("bodies", true).getBody()).isEqualTo(body);
        }
        after.basicQos(100);
        LinkedBlockingQueue<Delivery> fromStream = new LinkedBlockingQueue<>();
        after.basicConsume("body-stream", false, Map.of("x-stream-offset", "first"), (tag, d) -> fromStream.add(d), tag -> { });
        for (byte[] body : sent) {
            assertThat(next(fromStream).getBody()).isEqualTo(body);
        }
    }
}
