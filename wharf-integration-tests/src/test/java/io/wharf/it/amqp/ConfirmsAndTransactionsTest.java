package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Delivery;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConfirmsAndTransactionsTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension().vhostPerTest();

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    @Test
    void shouldConfirmEveryPublishOnceAndInOrderOfNumbers() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("confirmed", true, false, false, null);
        ch.queueDeclare("also", true, false, false, null);
        ch.exchangeDeclare("both", "fanout");
        ch.queueBind("confirmed", "both", "");
        ch.queueBind("also", "both", "");
        ch.confirmSelect();
        ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
        ConcurrentSkipListSet<Long> nacked = new ConcurrentSkipListSet<>();
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                record(acked, tag, multiple);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                record(nacked, tag, multiple);
            }

            private void record(ConcurrentSkipListSet<Long> set, long tag, boolean multiple) {
                if (multiple) {
                    for (long t = 1; t <= tag; t++) {
                        if (!acked.contains(t) && !nacked.contains(t)) {
                            set.add(t);
                        }
                    }
                } else {
                    set.add(tag);
                }
            }
        });

        int n = 2000;
        for (int i = 0; i < n; i++) {
            ch.basicPublish("both", "", persistent(), bytes("m" + i));
        }

        await().atMost(30, TimeUnit.SECONDS).until(() -> acked.size() == n);
        assertThat(nacked).isEmpty();
        assertThat(acked.first()).isEqualTo(1);
        assertThat(acked.last()).isEqualTo(n);
        assertThat(ch.messageCount("confirmed")).isEqualTo(n);
        assertThat(ch.messageCount("also")).isEqualTo(n);
    }

    @Test
    void shouldRefuseSwitchingBetweenConfirmsAndTransactions() throws Exception {
        Channel ch = channel();
        ch.confirmSelect();

        AMQP.Channel.Close close = channelClose(ch::txSelect);

        assertThat(close.getReplyCode()).isEqualTo(406);
        assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - cannot switch from confirm to tx mode");
    }

    @Test
    void shouldPublishOnlyOnCommitAndDiscardOnRollback() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("tx", true, false, false, null);
        ch.txSelect();

        ch.basicPublish("", "tx", persistent(), bytes("rolled back"));
        ch.txRollback();
        ch.basicPublish("", "tx", persistent(), bytes("committed"));
        assertThat(channel().queueDeclarePassive("tx").getMessageCount()).isZero();
        ch.txCommit();

        assertThat(channel().queueDeclarePassive("tx").getMessageCount()).isEqualTo(1);
        assertThat(text(channel().basicGet("tx", true).getBody())).isEqualTo("committed");
    }

    @Test
    void shouldApplyAcknowledgementsOnlyOnCommit() throws Exception {
        Channel producer = channel();
        producer.queueDeclare("tx-acks", false, false, false, null);
        producer.basicPublish("", "tx-acks", null, bytes("m"));
        Channel ch = channel();
        ch.txSelect();
        LinkedBlockingQueue<Delivery> got = consume(ch, "tx-acks", false);
        Delivery d = next(got);

        ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
        ch.txRollback();
        ch.close();
        await().atMost(10, TimeUnit.SECONDS).until(() -> producer.messageCount("tx-acks") == 1);

        Channel again = channel();
        again.txSelect();
        LinkedBlockingQueue<Delivery> got2 = consume(again, "tx-acks", false);
        Delivery d2 = next(got2);
        again.basicAck(d2.getEnvelope().getDeliveryTag(), false);
        again.txCommit();
        again.close();
        await().atMost(10, TimeUnit.SECONDS).until(() -> producer.messageCount("tx-acks") == 0);
    }
}
