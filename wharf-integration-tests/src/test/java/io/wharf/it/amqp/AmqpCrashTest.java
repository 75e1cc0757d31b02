package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.GetResponse;
import io.wharf.it.support.ChildBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Publishes persistent messages with confirms while the broker, in a child JVM, is killed with
 * SIGKILL; after each restart every confirmed message must be delivered (at least once) and every
 * delivered body must be intact. {@code -Dwharf.amqp.crash.cycles=N} runs more cycles.
 */
class AmqpCrashTest {

    @TempDir
    Path dir;

    private ChildBroker broker;

    private Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection();
    }

    private Connection awaitBroker() {
        Connection[] c = new Connection[1];
        await("the broker accepting connections").atMost(60, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
                .ignoreExceptions().until(() -> {
                    c[0] = connect();
                    return true;
                });
        return c[0];
    }

    private static byte[] body(long id) {
        StringBuilder sb = new StringBuilder("message-").append(id).append('|');
        Random r = new Random(id);
        int extra = r.nextInt(2000);
        for (int i = 0; i < extra; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long idOf(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        long id = Long.parseLong(s.substring("message-".length(), s.indexOf('|')));
        assertThat(body).as("the body of message %d is intact", id).isEqualTo(body(id));
        return id;
    }

    @Test
    void shouldDeliverEveryConfirmedMessageAfterEachKill() throws Exception {
        int cycles = Integer.getInteger("wharf.amqp.crash.cycles", 5);
        long seed = Long.getLong("wharf.amqp.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        AtomicLong nextId = new AtomicLong();
        Set<Long> outstandingConfirmed = new HashSet<>();
        try (ChildBroker started = broker = new ChildBroker(dir)) {
            for (int cycle = 0; cycle < cycles; cycle++) {
                broker.start();
                Connection c = awaitBroker();
                Channel ch = c.createChannel();
                ch.queueDeclare("crash", true, false, false, null);

                // Everything confirmed before the last kill must be here.
                Set<Long> seen = new HashSet<>();
                GetResponse r;
                while ((r = ch.basicGet("crash", true)) != null) {
                    seen.add(idOf(r.getBody()));
                }
                assertThat(seen).as("after kill %d (seed %d)", cycle, seed).containsAll(outstandingConfirmed);
                outstandingConfirmed.clear();

                ch.confirmSelect();
                ConcurrentSkipListMap<Long, Long> unconfirmed = new ConcurrentSkipListMap<>();
                Set<Long> confirmed = ConcurrentHashMap.newKeySet();
                ch.addConfirmListener(new ConfirmListener() {
                    @Override
                    public void handleAck(long seq, boolean multiple) {
                        var done = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
                        confirmed.addAll(done.values());
                        done.clear();
                    }

                    @Override
                    public void handleNack(long seq, boolean multiple) {
                        var done = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
                        done.clear();
                    }
                });
                int killAfter = 200 + random.nextInt(3000);
                Thread publisher = new Thread(() -> {
                    try {
                        while (true) {
                            long id = nextId.getAndIncrement();
                            unconfirmed.put(ch.getNextPublishSeqNo(), id);
                            ch.basicPublish("", "crash", new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body(id));
                        }
                    } catch (Exception stopped) {
                        // the broker was killed
                    }
                }, "crash-publisher");
                publisher.start();
                await().atMost(60, TimeUnit.SECONDS).until(() -> confirmed.size() >= killAfter);

                broker.kill();
                publisher.join(30_000);
                outstandingConfirmed.addAll(confirmed);
                assertThat(outstandingConfirmed).as("confirms before the kill in cycle %d", cycle).isNotEmpty();
            }
        }
    }

    @Test
    void shouldKeepHeldDelayedMessagesThroughAKill() throws Exception {
        try (ChildBroker started = broker = new ChildBroker(dir)) {
            broker.start();
            Connection c = awaitBroker();
            Channel ch = c.createChannel();
            ch.exchangeDeclare("later", "x-delayed-message", true, false, Map.of("x-delayed-type", "fanout"));
            ch.queueDeclare("released", true, false, false, null);
            ch.queueBind("released", "later", "");
            ch.confirmSelect();
            for (long id = 0; id < 50; id++) {
                ch.basicPublish("later", "", new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .headers(Map.of("x-delay", 2000)).build(), body(id));
            }
            ch.waitForConfirmsOrDie(30_000);
            assertThat(ch.messageCount("released")).as("still held").isZero();

            broker.kill();
            broker.start();
            Channel after = awaitBroker().createChannel();

            await().atMost(30, TimeUnit.SECONDS).until(() -> after.messageCount("released") >= 50);
            Set<Long> ids = new HashSet<>();
            GetResponse r;
            while ((r = after.basicGet("released", true)) != null) {
                ids.add(idOf(r.getBody()));
            }
            assertThat(ids).hasSize(50);
        }
    }
}
