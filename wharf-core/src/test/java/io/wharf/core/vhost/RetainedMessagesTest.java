package io.wharf.core.vhost;

import io.wharf.core.TestBroker;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RetainedMessagesTest {

    @TempDir
    Path dir;

    /**
     * Two publishers retain on the same topics at once: whichever came last by the store's order,
     * memory and disk agree on it, so a restart brings back what subscribers were being given.
     */
    @Test
    void shouldKeepMemoryAndDiskInAgreementWhenPublishersRetainOnOneTopicAtOnce() throws Exception {
        try (TestBroker broker = new TestBroker(dir)) {
            int rounds = 2_000;
            List<CompletableFuture<Void>> written = new java.util.concurrent.CopyOnWriteArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> publishers = new ArrayList<>();
            for (String who : List.of("a", "b")) {
                publishers.add(Thread.ofPlatform().name("retain-" + who).start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    RetainedMessages retained = broker.vhost().retained();
                    for (int i = 0; i < rounds; i++) {
                        written.add(retained.retain("topic/" + (i % 4), message(who + i)));
                    }
                }));
            }
            start.countDown();
            for (Thread t : publishers) {
                t.join();
            }
            CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            Map<String, String> inMemory = bodies(broker.vhost().retained());

            broker.restart();

            assertThat(inMemory).hasSize(4);
            assertThat(bodies(broker.vhost().retained())).isEqualTo(inMemory);
        }
    }

    @Test
    void shouldClearInTheOrderGiven() throws Exception {
        try (TestBroker broker = new TestBroker(dir)) {
            RetainedMessages retained = broker.vhost().retained();
            retained.retain("t", message("one"));
            retained.clear("t");
            retained.retain("t", message("two"));
            retained.clear("t").get(10, TimeUnit.SECONDS);

            assertThat(retained.size()).isZero();
            broker.restart();
            assertThat(broker.vhost().retained().size()).isZero();
        }
    }

    @TempDir
    Path other;

    /** The seam replication needs: the same commands give the same retained messages, also after a restart. */
    @Test
    void shouldReachTheSameRetainedMessagesFromTheSameCommands() throws Exception {
        List<RetainedMessages.Command> commands = List.of(
                new RetainedMessages.Retain("a/1", message("x")),
                new RetainedMessages.Retain("a/2", message("y")),
                new RetainedMessages.Clear("a/1"),
                new RetainedMessages.Retain("a/2", message("z")),
                new RetainedMessages.Clear("never/retained"),
                new RetainedMessages.Retain("b", message("w")));
        try (TestBroker one = new TestBroker(dir); TestBroker two = new TestBroker(other)) {
            for (TestBroker broker : List.of(one, two)) {
                CompletableFuture<Void> last = null;
                for (RetainedMessages.Command c : commands) {
                    last = broker.vhost().retained().apply(c);
                }
                last.get(10, TimeUnit.SECONDS);
            }

            assertThat(bodies(one.vhost().retained())).isEqualTo(Map.of("a/2", "z", "b", "w"));
            assertThat(bodies(two.vhost().retained())).isEqualTo(bodies(one.vhost().retained()));
            one.restart();
            assertThat(bodies(one.vhost().retained())).isEqualTo(bodies(two.vhost().retained()));
        }
    }

    private static Map<String, String> bodies(RetainedMessages retained) {
        Map<String, String> out = new java.util.TreeMap<>();
        retained.matching(t -> true).forEach(e -> out.put(e.getKey(), new String(e.getValue().body(), StandardCharsets.UTF_8)));
        return out;
    }

    private static Message message(String body) {
        return Message.of("amq.topic", "topic", MessageProperties.EMPTY, body.getBytes(StandardCharsets.UTF_8), 0);
    }
}
