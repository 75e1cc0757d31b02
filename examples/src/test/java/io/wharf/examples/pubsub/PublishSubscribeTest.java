package io.wharf.examples.pubsub;

import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.Brokers;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PublishSubscribeTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldDeliverEveryLineToEverySubscriber() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        List<String> lines = List.of("info: one", "warning: two", "error: three", "info: four");
        List<List<String>> received = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>());

        try (ReceiveLogs first = new ReceiveLogs(factory, received.get(0)::add);
             ReceiveLogs second = new ReceiveLogs(factory, received.get(1)::add);
             ReceiveLogs third = new ReceiveLogs(factory, received.get(2)::add)) {
            first.start();
            second.start();
            third.start();
            assertThat(List.of(first.queue(), second.queue(), third.queue())).doesNotHaveDuplicates();

            EmitLog.emit(factory, lines);

            for (List<String> subscriber : received) {
                await().until(() -> subscriber.size() >= lines.size());
                assertThat(subscriber).containsExactlyElementsOf(lines);
            }
        }
    }

    @Test
    void shouldDeliverOnlyLinesSentWhileTheSubscriberRuns() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        List<String> received = new CopyOnWriteArrayList<>();
        EmitLog.emit(factory, List.of("before"));

        try (ReceiveLogs subscriber = new ReceiveLogs(factory, received::add)) {
            subscriber.start();
            EmitLog.emit(factory, List.of("during"));

            // "before" would have been queued, and so delivered, ahead of "during".
            await().until(() -> received.contains("during"));
            assertThat(received).containsExactly("during");
        }
    }

    @Test
    void shouldDeleteTheSubscribersQueueWhenItStops() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        String queue;
        try (ReceiveLogs subscriber = new ReceiveLogs(factory, line -> { })) {
            subscriber.start();
            queue = subscriber.queue();
            assertThat(Brokers.queueExists(factory, queue)).isTrue();
        }

        await().until(() -> !Brokers.queueExists(factory, queue));
    }
}
