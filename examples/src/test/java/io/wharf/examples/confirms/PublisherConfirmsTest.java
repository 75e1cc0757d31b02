package io.wharf.examples.confirms;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.wharf.examples.Brokers;
import io.wharf.examples.confirms.PublisherConfirms.Result;
import io.wharf.examples.confirms.PublisherConfirms.Strategy;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherConfirmsTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    // Not a multiple of the batch size, so that the last, partial batch is waited for too.
    private static final int COUNT = 10 * PublisherConfirms.BATCH_SIZE + 37;

    @Test
    void shouldConfirmEveryMessagePublishedIndividually() throws Exception {
        assertEveryMessageConfirmedAndQueued(PublisherConfirms::publishIndividually, "individually");
    }

    @Test
    void shouldConfirmEveryMessagePublishedInBatches() throws Exception {
        assertEveryMessageConfirmedAndQueued(PublisherConfirms::publishInBatches, "in batches");
    }

    @Test
    void shouldConfirmEveryMessagePublishedAsynchronously() throws Exception {
        assertEveryMessageConfirmedAndQueued(PublisherConfirms::publishAsynchronously, "asynchronously");
    }

    @Test
    void shouldSettleAnEmptyRunAtOnce() throws Exception {
        try (Connection connection = Brokers.factory(wharf).newConnection()) {
            Result result = PublisherConfirms.runInFreshQueue(connection, PublisherConfirms::publishAsynchronously, 0);

            assertThat(result.published()).isZero();
            assertThat(result.confirmed()).isZero();
        }
    }

    @Test
    void shouldDeleteTheQueueOfEachRun() throws Exception {
        try (Connection connection = Brokers.factory(wharf).newConnection()) {
            AtomicReference<String> queue = new AtomicReference<>();
            Result result = PublisherConfirms.runInFreshQueue(connection, (c, q, n) -> {
                queue.set(q);
                return PublisherConfirms.publishInBatches(c, q, n);
            }, 10);

            assertThat(result.confirmed()).isEqualTo(10);
            assertThat(Brokers.queueExists(Brokers.factory(wharf), queue.get())).isFalse();
        }
    }

    private static void assertEveryMessageConfirmedAndQueued(Strategy strategy, String name) throws Exception {
        try (Connection connection = Brokers.factory(wharf).newConnection();
             Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare().getQueue();

            Result result = strategy.publish(connection, queue, COUNT);

            assertThat(result.strategy()).isEqualTo(name);
            assertThat(result.published()).isEqualTo(COUNT);
            assertThat(result.confirmed()).isEqualTo(COUNT);
            assertThat(result.nacked()).isZero();
            // A confirm means the broker has taken the message: every one is in the queue, the first first.
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(COUNT);
            assertThat(bodyOf(channel.basicGet(queue, true))).isEqualTo("message 0");
            channel.queuePurge(queue);
        }
    }

    private static String bodyOf(GetResponse response) {
        return new String(response.getBody(), StandardCharsets.UTF_8);
    }
}
