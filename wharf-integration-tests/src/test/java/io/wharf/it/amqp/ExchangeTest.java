package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ExchangeTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().vhostPerTest();

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    private static String declareQueue(Channel ch) throws Exception {
        return ch.queueDeclare().getQueue();
    }

    private static String get(Channel ch, String queue) throws Exception {
        GetResponse r = ch.basicGet(queue, true);
        return r == null ? null : text(r.getBody());
    }

    @Test
    void shouldRouteThroughEveryStandardType() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("d", BuiltinExchangeType.DIRECT);
        ch.exchangeDeclare("f", BuiltinExchangeType.FANOUT);
        ch.exchangeDeclare("t", BuiltinExchangeType.TOPIC);
        ch.exchangeDeclare("h", BuiltinExchangeType.HEADERS);
        String qd = declareQueue(ch);
        String qf = declareQueue(ch);
        String qt = declareQueue(ch);
        String qh = declareQueue(ch);
        ch.queueBind(qd, "d", "orange");
        ch.queueBind(qf, "f", "");
        ch.queueBind(qt, "t", "*.orange.#");
        ch.queueBind(qh, "h", "", Map.of("x-match", "any", "color", "orange", "size", "big"));

        ch.basicPublish("d", "orange", null, bytes("direct"));
        ch.basicPublish("d", "green", null, bytes("not routed"));
        ch.basicPublish("f", "whatever", null, bytes("fanout"));
        ch.basicPublish("t", "quick.orange.fox.jumps", null, bytes("topic"));
        ch.basicPublish("t", "orange", null, bytes("not routed"));
        ch.basicPublish("h", "", new AMQP.BasicProperties.Builder().headers(Map.of("color", "orange")).build(), bytes("headers"));

        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount(qh) == 1);
        assertThat(get(ch, qd)).isEqualTo("direct");
        assertThat(get(ch, qd)).isNull();
        assertThat(get(ch, qf)).isEqualTo("fanout");
        assertThat(get(ch, qt)).isEqualTo("topic");
        assertThat(get(ch, qt)).isNull();
        assertThat(get(ch, qh)).isEqualTo("headers");
    }

    @Test
    void shouldPredeclareTheAmqExchangesAndTheDefaultOne() throws Exception {
        Channel ch = channel();
        for (String e : new String[] {"amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"}) {
            ch.exchangeDeclarePassive(e);
        }
        ch.queueDeclare("by-name", false, false, true, null);
        ch.basicPublish("", "by-name", null, bytes("default exchange"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("by-name") == 1);
        assertThat(get(ch, "by-name")).isEqualTo("default exchange");

        AMQP.Channel.Close close = channelClose(() -> channel().exchangeDeclare("amq.mine", "direct"));
        assertThat(close.getReplyCode()).isEqualTo(403);
        assertThat(close.getReplyText()).isEqualTo("ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'");
        assertThat(channelClose(() -> channel().queueBind("by-name", "", "by-name")).getReplyCode()).isEqualTo(403);
        assertThat(channelClose(() -> channel().exchangeDelete("amq.direct")).getReplyCode()).isEqualTo(403);
    }

    @Test
    void shouldDeclarePassivelyAndRefuseInequivalentRedeclarations() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("x", "direct", true);
        ch.exchangeDeclare("x", "direct", true);

        AMQP.Channel.Close notFound = channelClose(() -> channel().exchangeDeclarePassive("missing"));
        assertThat(notFound.getReplyCode()).isEqualTo(404);
        assertThat(notFound.getReplyText()).isEqualTo("NOT_FOUND - no exchange 'missing' in vhost '" + wharf.vhost() + "'");

        AMQP.Channel.Close inequivalent = channelClose(() -> channel().exchangeDeclare("x", "fanout", true));
        assertThat(inequivalent.getReplyCode()).isEqualTo(406);
        assertThat(inequivalent.getReplyText()).isEqualTo("PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '" + wharf.vhost() + "': received 'fanout' but current is 'direct'");
    }

    @Test
    void shouldRefuseAnUnknownExchangeTypeAsAConnectionError() {
        AMQP.Connection.Close close = connectionClose(() -> channel().exchangeDeclare("weird", "x-no-such-type"));

        assertThat(close.getReplyCode()).isEqualTo(503);
        assertThat(close.getReplyText()).isEqualTo("COMMAND_INVALID - unknown exchange type 'x-no-such-type'");
    }

    @Test
    void shouldNotLetClientsPublishToAnInternalExchange() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("internal", "fanout", false, false, true, null);
        ch.exchangeDeclare("front", "fanout");
        ch.exchangeBind("internal", "front", "");
        String q = declareQueue(ch);
        ch.queueBind(q, "internal", "");

        ch.basicPublish("front", "", null, bytes("via front"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount(q) == 1);

        Channel other = channel();
        AMQP.Channel.Close close = channelClose(() -> {
            other.basicPublish("internal", "", null, bytes("direct"));
            other.queueDeclare();
        });
        assertThat(close.getReplyCode()).isEqualTo(403);
    }

    @Test
    void shouldRouteThroughExchangeToExchangeBindingsAndUnbind() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("src", "topic");
        ch.exchangeDeclare("dst", "fanout");
        ch.exchangeBind("dst", "src", "a.*");
        String q = declareQueue(ch);
        ch.queueBind(q, "dst", "");

        ch.basicPublish("src", "a.b", null, bytes("through"));
        ch.basicPublish("src", "b.b", null, bytes("filtered"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount(q) == 1);
        ch.exchangeUnbind("dst", "src", "a.*");
        ch.basicPublish("src", "a.b", null, bytes("after unbind"));
        ch.queueDeclarePassive(q);

        assertThat(get(ch, q)).isEqualTo("through");
        assertThat(get(ch, q)).isNull();
    }

    @Test
    void shouldDeleteAnAutoDeleteExchangeWithItsLastBinding() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("auto", "direct", false, true, null);
        String q = declareQueue(ch);
        ch.queueBind(q, "auto", "k");

        ch.queueUnbind(q, "auto", "k");

        assertThat(channelClose(() -> channel().exchangeDeclarePassive("auto")).getReplyCode()).isEqualTo(404);
    }

    @Test
    void shouldDeleteIfUnusedOnlyWhenUnbound() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("busy", "direct");
        String q = declareQueue(ch);
        ch.queueBind(q, "busy", "k");

        AMQP.Channel.Close close = channelClose(() -> channel().exchangeDelete("busy", true));
        assertThat(close.getReplyCode()).isEqualTo(406);

        ch.exchangeDelete("busy");
        ch.exchangeDelete("busy");
        assertThat(channelClose(() -> channel().exchangeDeclarePassive("busy")).getReplyCode()).isEqualTo(404);
    }

    @Test
    void shouldSpreadKeysOverAConsistentHashExchangeByWeight() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("hash", "x-consistent-hash");
        // Named queues: the ring depends on the names, so random ones would make the split random.
        // Weights in tens, as RabbitMQ advises: with one point or three, the split is anyone's guess.
        String light = "hash-light";
        String heavy = "hash-heavy";
        ch.queueDeclare(light, false, false, true, null);
        ch.queueDeclare(heavy, false, false, true, null);
        ch.queueBind(light, "hash", "10");
        ch.queueBind(heavy, "hash", "30");

        for (int i = 0; i < 2000; i++) {
            ch.basicPublish("hash", "key-" + i, null, bytes(Integer.toString(i)));
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> ch.messageCount(light) + ch.messageCount(heavy) == 2000);

        assertThat(ch.messageCount(heavy)).isGreaterThan(ch.messageCount(light));
        ch.basicPublish("hash", "key-7", null, bytes("again"));
        Set<String> seen = new HashSet<>();
        for (String q : new String[] {light, heavy}) {
            GetResponse r;
            while ((r = ch.basicGet(q, true)) != null) {
                if (text(r.getBody()).equals("7") || text(r.getBody()).equals("again")) {
                    seen.add(q);
                }
            }
        }
        assertThat(seen).as("the same key lands in the same queue").hasSize(1);
    }

    @Test
    void shouldDeliverToOneRandomQueue() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("rand", "x-random");
        String a = declareQueue(ch);
        String b = declareQueue(ch);
        ch.queueBind(a, "rand", "");
        ch.queueBind(b, "rand", "");

        for (int i = 0; i < 200; i++) {
            ch.basicPublish("rand", "", null, bytes("m"));
        }

        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount(a) + ch.messageCount(b) == 200);
        assertThat(ch.messageCount(a)).isPositive();
        assertThat(ch.messageCount(b)).isPositive();
    }

    @Test
    void shouldHoldDelayedMessagesUntilTheirTimeAcrossARestart() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("delayed", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
        ch.queueDeclare("later", true, false, false, null);
        ch.queueBind("later", "delayed", "k");
        ch.confirmSelect();
        Map<String, Object> delay = new HashMap<>();
        delay.put("x-delay", 3000);
        ch.basicPublish("delayed", "k", new AMQP.BasicProperties.Builder().headers(delay).deliveryMode(2).build(), bytes("held"));
        ch.basicPublish("delayed", "k", persistent(), bytes("now"));
        ch.waitForConfirmsOrDie(10_000);

        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("later") == 1);
        assertThat(get(ch, "later")).isEqualTo("now");

        wharf.restart();

        Channel after = channel();
        await().atMost(20, TimeUnit.SECONDS).until(() -> after.messageCount("later") == 1);
        assertThat(get(after, "later")).isEqualTo("held");
    }

    @Test
    void shouldReleaseDelayedMessagesDueOneAfterAnotherWithNoFurtherPublish() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("staggered", "x-delayed-message", false, false, Map.of("x-delayed-type", "fanout"));
        String q = declareQueue(ch);
        ch.queueBind(q, "staggered", "");
        ch.confirmSelect();
        int count = 40;
        for (int i = 0; i < count; i++) {
            Map<String, Object> delay = new HashMap<>();
            delay.put("x-delay", 200 + 10 * i);
            ch.basicPublish("staggered", "", new AMQP.BasicProperties.Builder().headers(delay).build(), bytes("m" + i));
        }
        ch.waitForConfirmsOrDie(10_000);

        // Every message after the first is released by a timer the previous release armed.
        await().atMost(20, TimeUnit.SECONDS).until(() -> ch.messageCount(q) == count);
    }

    @Test
    void shouldRouteUnroutableMessagesToTheAlternateExchange() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("ae", "fanout");
        ch.exchangeDeclare("main", "direct", false, false, Map.of("alternate-exchange", "ae"));
        String lost = declareQueue(ch);
        ch.queueBind(lost, "ae", "");

        ch.basicPublish("main", "nobody", null, bytes("unroutable"));

        await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount(lost) == 1);
    }
}
