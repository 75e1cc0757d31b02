package io.wharf.core.queue;

import io.wharf.core.TestBroker;
import io.wharf.core.vhost.VirtualHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.wharf.core.TestBroker.message;
import static io.wharf.core.TestBroker.persistent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The seam replication needs: a queue changes its messages by commands, and the same commands give the same queue. */
class QueueCommandsTest {

    @TempDir
    Path dir;

    private static final List<QueueCommand> AFTER_ENQUEUES = List.of(
            new QueueCommand.Deliver(0, "c", false),
            new QueueCommand.Deliver(1, "c", false),
            new QueueCommand.Deliver(2, "c", true),
            new QueueCommand.Settle(List.of(0L)),
            new QueueCommand.Return(List.of(1L)),
            // Returned messages come back first: 1 is the head again.
            new QueueCommand.Deliver(1, "c", false),
            new QueueCommand.Discard(1, "rejected"),
            new QueueCommand.Expire(3),
            new QueueCommand.Deliver(4, null, false));

    private static Queue declare(TestBroker broker, String name) throws Exception {
        VirtualHost v = broker.vhost();
        v.declareQueue(new QueueDefinition("dead-" + name, true, false, false, Map.of()), false, broker.client).get(10, TimeUnit.SECONDS);
        v.declareQueue(new QueueDefinition(name, true, false, false,
                Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dead-" + name)), false, broker.client)
                .get(10, TimeUnit.SECONDS);
        return v.queue(name);
    }

    private static void applyAll(Queue q) throws Exception {
        for (int i = 0; i < 6; i++) {
            q.apply(new QueueCommand.Enqueue(message("", q.name(), "m" + i, persistent()))).get(10, TimeUnit.SECONDS);
        }
        for (QueueCommand c : AFTER_ENQUEUES) {
            q.apply(c).get(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> drain(Queue q) throws Exception {
        List<String> out = new ArrayList<>();
        while (true) {
            Optional<Delivery> d = q.get(true).get(10, TimeUnit.SECONDS);
            if (d.isEmpty()) {
                return out;
            }
            out.add(TestBroker.body(d.get()) + (d.get().redelivered() ? "*" : ""));
        }
    }

    @Test
    void shouldLeaveTwoQueuesGivenTheSameCommandsHoldingTheSameMessages() throws Exception {
        try (TestBroker broker = new TestBroker(dir)) {
            Queue one = declare(broker, "one");
            Queue two = declare(broker, "two");
            applyAll(one);
            applyAll(two);

            for (Queue q : List.of(one, two)) {
                assertThat(q.messageCount()).as(q.name()).isEqualTo(1);
                assertThat(q.unackedCount()).as(q.name()).isEqualTo(1);
                Queue dead = broker.vhost().queue("dead-" + q.name());
                await().atMost(10, TimeUnit.SECONDS).until(() -> dead.messageCount() == 2);
                assertThat(drain(dead)).containsExactly("m1", "m3");
            }

            // What is settled stays settled across a restart; the unacknowledged message comes back
            // first, as redelivered (a message the queue may have handed out is flagged so too).
            broker.restart();
            assertThat(drain(broker.vhost().queue("one"))).startsWith("m4*").hasSize(2).last().asString().startsWith("m5");
            assertThat(drain(broker.vhost().queue("two"))).startsWith("m4*").hasSize(2).last().asString().startsWith("m5");
        }
    }

    @Test
    void shouldRefuseACommandForAMessageThatIsNotAtTheHead() throws Exception {
        try (TestBroker broker = new TestBroker(dir)) {
            Queue q = declare(broker, "q");
            q.apply(new QueueCommand.Enqueue(message("", "q", "a", persistent()))).get(10, TimeUnit.SECONDS);
            q.apply(new QueueCommand.Enqueue(message("", "q", "b", persistent()))).get(10, TimeUnit.SECONDS);

            assertThatThrownBy(() -> q.apply(new QueueCommand.Deliver(1, "c", false)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(drain(q)).containsExactly("a", "b");
        }
    }
}
