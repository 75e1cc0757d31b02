package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class QueueTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().vhostPerTest();

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    private static String get(Channel ch, String queue) throws Exception {
        GetResponse r = ch.basicGet(queue, true);
        return r == null ? null : text(r.getBody());
    }

    @Test
    void shouldDeclareServerNamedQueuesAndReportCounts() throws Exception {
        Channel ch = channel();
        AMQP.Queue.DeclareOk named = ch.queueDeclare();
        assertThat(named.getQueue()).startsWith("amq.gen-");

        ch.queueDeclare("counted", false, false, false, null);
        ch.basicPublish("", "counted", null, bytes("1"));
        ch.basicPublish("", "counted", null, bytes("2"));
        consume(channel(), "counted", false);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive("counted");
            assertThat(ok.getConsumerCount()).isEqualTo(1);
            assertThat(ok.getMessageCount()).isZero();
        });

        AMQP.Channel.Close close = channelClose(() -> channel().queueDeclarePassive("absent"));
        assertThat(close.getReplyCode()).isEqualTo(404);
        assertThat(close.getReplyText()).isEqualTo("NOT_FOUND - no queue 'absent' in vhost '" + wharf.vhost() + "'");
    }

    @Test
    void shouldRefuseInequivalentRedeclarationsAndInvalidArguments() throws Exception {
        channel().queueDeclare("q", true, false, false, Map.of("x-max-length", 10));

        AMQP.Channel.Close durable = channelClose(() -> channel().queueDeclare("q", false, false, false, Map.of("x-max-length", 10)));
        assertThat(durable.getReplyCode()).isEqualTo(406);
        assertThat(durable.getReplyText()).isEqualTo("PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '" + wharf.vhost() + "': received 'false' but current is 'true'");
        AMQP.Channel.Close arg = channelClose(() -> channel().queueDeclare("bad", true, false, false, Map.of("x-message-ttl", -5)));
        assertThat(arg.getReplyCode()).isEqualTo(406);
        assertThat(arg.getReplyText()).contains("invalid arg 'x-message-ttl' for queue 'bad'");
        AMQP.Channel.Close reserved = channelClose(() -> channel().queueDeclare("amq.q", false, false, false, null));
        assertThat(reserved.getReplyCode()).isEqualTo(403);
    }

    @Test
    void shouldLockAnExclusiveQueueToItsConnectionAndDeleteItWithTheConnection() throws Exception {
        Connection owner = connect();
        owner.createChannel().queueDeclare("mine", false, true, false, null);

        AMQP.Channel.Close locked = channelClose(() -> channel().basicConsume("mine", true, (t, d) -> { }, t -> { }));
        assertThat(locked.getReplyCode()).isEqualTo(405);
        assertThat(locked.getReplyText()).startsWith("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'mine' in vhost '" + wharf.vhost() + "'");

        owner.close();

        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(channelClose(() -> channel().queueDeclarePassive("mine")).getReplyCode()).isEqualTo(404));
    }

    @Test
    void shouldDeleteAnAutoDeleteQueueWhenItsLastConsumerCancels() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("auto", false, false, true, null);
        String tag = ch.basicConsume("auto", true, (t, d) -> { }, t -> { });

        ch.basicCancel(tag);

        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(channelClose(() -> channel().queueDeclarePassive("auto")).getReplyCode()).isEqualTo(404));
    }

    @Test
    void shouldExpireAnUnusedQueue() throws Exception {
        channel().queueDeclare("brief", false, false, false, Map.of("x-expires", 200));

        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(channelClose(() -> channel().queueDeclarePassive("brief")).getReplyCode()).isEqualTo(404));
    }

    @Test
    void shouldBindUnbindPurgeAndDeleteWithConditions() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("work", true, false, false, null);
        ch.queueBind("work", "amq.direct", "jobs");
        for (int i = 0; i < 3; i++) {
            ch.basicPublish("amq.direct", "jobs", null, bytes("job" + i));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("work") == 3);
        ch.queueUnbind("work", "amq.direct", "jobs");
        ch.basicPublish("amq.direct", "jobs", null, bytes("lost"));

        assertThat(channelClose(() -> channel().queueDelete("work", false, true)).getReplyText())
                .isEqualTo("PRECONDITION_FAILED - queue 'work' in vhost '" + wharf.vhost() + "' not empty");
        assertThat(ch.queuePurge("work").getMessageCount()).isEqualTo(3);
        Channel consumerChannel = channel();
        consumerChannel.basicConsume("work", true, (t, d) -> { }, t -> { });
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.consumerCount("work") == 1);
        assertThat(channelClose(() -> channel().queueDelete("work", true, false)).getReplyText())
                .isEqualTo("PRECONDITION_FAILED - queue 'work' in vhost '" + wharf.vhost() + "' in use");
        assertThat(ch.queueDelete("work").getMessageCount()).isZero();
        assertThat(ch.queueDelete("work").getMessageCount()).as("deleting twice is harmless").isZero();
    }

    @Test
    void shouldDeadLetterRejectedAndExpiredMessagesWithXDeath() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("dlx", "direct");
        ch.queueDeclare("dead", false, false, false, null);
        ch.queueBind("dead", "dlx", "to-dead");
        ch.queueDeclare("live", false, false, false, Map.of("x-dead-letter-exchange", "dlx",
                "x-dead-letter-routing-key", "to-dead", "x-message-ttl", 60_000));
        ch.basicPublish("", "live", null, bytes("rejected"));
        ch.basicPublish("", "live", new AMQP.BasicProperties.Builder().expiration("1").build(), bytes("expired"));
        ch.basicPublish("", "live", null, bytes("kept"));

        GetResponse r = await().atMost(10, TimeUnit.SECONDS).until(() -> ch.basicGet("live", false), java.util.Objects::nonNull);
        assertThat(text(r.getBody())).isEqualTo("rejected");
        ch.basicReject(r.getEnvelope().getDeliveryTag(), false);

        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("dead") == 2);
        Map<String, GetResponse> dead = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {
            GetResponse d = ch.basicGet("dead", true);
            dead.put(text(d.getBody()), d);
        }
        GetResponse first = dead.get("rejected");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) first.getProps().getHeaders().get("x-death");
        assertThat(deaths).hasSize(1);
        assertThat(deaths.get(0).get("reason").toString()).isEqualTo("rejected");
        assertThat(deaths.get(0).get("queue").toString()).isEqualTo("live");
        assertThat(deaths.get(0).get("count")).isEqualTo(1L);
        assertThat(first.getEnvelope().getRoutingKey()).isEqualTo("to-dead");
        GetResponse second = dead.get("expired");
        assertThat(second.getProps().getHeaders().get("x-first-death-reason").toString()).isEqualTo("expired");
        assertThat(second.getProps().getExpiration()).isNull();
        assertThat(get(ch, "live")).isEqualTo("kept");
    }

    @Test
    void shouldLimitLengthByDroppingTheHeadOrRejectingPublishes() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("short", false, false, false, Map.of("x-max-length", 2));
        ch.queueDeclare("bytes", false, false, false, Map.of("x-max-length-bytes", 10));
        ch.queueDeclare("strict", false, false, false, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        ch.confirmSelect();
        for (int i = 0; i < 4; i++) {
            ch.basicPublish("", "short", null, bytes("m" + i));
            ch.basicPublish("", "bytes", null, bytes("12345" + i));
        }
        ch.basicPublish("", "strict", null, bytes("first"));
        assertThat(ch.waitForConfirms(10_000)).isTrue();
        ch.basicPublish("", "strict", null, bytes("second"));

        assertThat(ch.waitForConfirms(10_000)).as("the refused publish is nacked").isFalse();
        assertThat(get(ch, "short")).isEqualTo("m2");
        assertThat(get(ch, "bytes")).isEqualTo("123453");
        assertThat(get(ch, "bytes")).isNull();
        assertThat(get(ch, "strict")).isEqualTo("first");
    }

    @Test
    void shouldDeliverByPriority() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("prio", true, false, false, Map.of("x-max-priority", 10));
        int[] priorities = {1, 5, 0, 9, 5};
        for (int p : priorities) {
            ch.basicPublish("", "prio", new AMQP.BasicProperties.Builder().priority(p).build(), bytes("p" + p));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("prio") == 5);

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            order.add(get(ch, "prio"));
        }
        assertThat(order).containsExactly("p9", "p5", "p5", "p1", "p0");
    }

    @Test
    void shouldServeOneActiveConsumerAndFailOverToTheNext() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("sac", false, false, false, Map.of("x-single-active-consumer", true));
        Channel first = channel();
        Channel second = channel();
        LinkedBlockingQueue<Delivery> a = consume(first, "sac", true);
        LinkedBlockingQueue<Delivery> b = consume(second, "sac", true);
        for (int i = 0; i < 5; i++) {
            ch.basicPublish("", "sac", null, bytes("m" + i));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(text(next(a).getBody())).isEqualTo("m" + i);
        }
        assertThat(b).isEmpty();

        first.close();
        ch.basicPublish("", "sac", null, bytes("after"));

        assertThat(text(next(b).getBody())).isEqualTo("after");
    }

    @Test
    void shouldKeepDurableDefinitionsAndPersistentMessagesAcrossARestart() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("durable-x", "topic", true);
        ch.exchangeDeclare("transient-x", "topic", false);
        ch.queueDeclare("durable-q", true, false, false, Map.of("x-max-length", 100));
        ch.queueDeclare("transient-q", false, false, false, null);
        ch.queueBind("durable-q", "durable-x", "a.#");
        ch.confirmSelect();
        ch.basicPublish("durable-x", "a.b", persistent(), bytes("persistent"));
        ch.basicPublish("durable-x", "a.b", null, bytes("transient message"));
        ch.waitForConfirmsOrDie(10_000);

        wharf.restart();

        Channel after = channel();
        after.exchangeDeclarePassive("durable-x");
        assertThat(after.queueDeclarePassive("durable-q").getMessageCount()).isEqualTo(1);
        assertThat(channelClose(() -> channel().exchangeDeclarePassive("transient-x")).getReplyCode()).isEqualTo(404);
        assertThat(channelClose(() -> channel().queueDeclarePassive("transient-q")).getReplyCode()).isEqualTo(404);
        after.basicPublish("durable-x", "a.c", persistent(), bytes("binding kept"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> after.messageCount("durable-q") == 2);
        assertThat(get(after, "durable-q")).isEqualTo("persistent");
        assertThat(get(after, "durable-q")).isEqualTo("binding kept");
    }

    @Test
    void shouldServeAQueueDeeperThanMemory() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("deep", true, false, false, null);
        ch.confirmSelect();
        byte[] body = new byte[4096];
        for (int i = 0; i < 30_000; i++) {
            body[0] = (byte) i;
            body[1] = (byte) (i >> 8);
            ch.basicPublish("", "deep", persistent(), body);
        }
        ch.waitForConfirmsOrDie(60_000);
        assertThat(ch.messageCount("deep")).isEqualTo(30_000);

        Channel consumer = channel();
        consumer.basicQos(500);
        LinkedBlockingQueue<Delivery> got = consume(consumer, "deep", false);
        for (int i = 0; i < 30_000; i++) {
            Delivery d = next(got);
            assertThat((d.getBody()[0] & 0xFF) | (d.getBody()[1] & 0xFF) << 8).isEqualTo(i & 0xFFFF);
            consumer.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }
    }
}
