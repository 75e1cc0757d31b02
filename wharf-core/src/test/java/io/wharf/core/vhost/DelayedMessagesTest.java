package io.wharf.core.vhost;

import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.storage.Storage;
import io.wharf.storage.log.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DelayedMessagesTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_000_000);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ConcurrentLinkedQueue<String> routed = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
        pool.shutdownNow();
    }

    private DelayedMessages open(Storage storage) {
        return new DelayedMessages(storage.logs().open("delayed"), "delayed", storage.cursors(), clock, timers, pool,
                m -> {
                    routed.add(new String(m.body(), StandardCharsets.UTF_8));
                    return CompletableFuture.completedFuture(null);
                });
    }

    /** The schedule depends only on the commands: the owner's clock reading is in each Release. */
    @Test
    void shouldReachTheSameScheduleFromTheSameCommands() throws Exception {
        List<DelayedMessages.Command> commands = List.of(
                new DelayedMessages.Hold(0, 1_100), new DelayedMessages.Hold(1, 1_050),
                new DelayedMessages.Hold(2, 1_300), new DelayedMessages.Hold(3, 1_050),
                new DelayedMessages.Release(1_120),
                new DelayedMessages.Postpone(0, 1_500), new DelayedMessages.Routed(1), new DelayedMessages.Routed(3),
                new DelayedMessages.Release(1_400), new DelayedMessages.Routed(2),
                new DelayedMessages.Release(1_600));
        try (Storage a = Storage.open(Storage.Options.defaults(dir.resolve("a")));
             Storage b = Storage.open(Storage.Options.defaults(dir.resolve("b")))) {
            DelayedMessages one = open(a);
            DelayedMessages two = open(b);
            List<List<Long>> releasedByOne = commands.stream().map(one::apply).toList();
            List<List<Long>> releasedByTwo = commands.stream().map(two::apply).toList();

            assertThat(releasedByOne).isEqualTo(releasedByTwo);
            assertThat(releasedByOne.get(4)).containsExactly(1L, 3L, 0L);
            assertThat(releasedByOne.get(8)).containsExactly(2L);
            assertThat(releasedByOne.get(10)).containsExactly(0L);
            assertThat(one.heldCount().get(10, TimeUnit.SECONDS)).isEqualTo(1).isEqualTo(two.heldCount().get());
            one.close();
            two.close();
        }
    }

    /** A message held across a restart comes back scheduled at its due time, read from its record. */
    @Test
    void shouldScheduleHeldMessagesAgainAfterARestart() throws Exception {
        try (Storage storage = Storage.open(Storage.Options.defaults(dir))) {
            DelayedMessages delayed = open(storage);
            assertThat(delayed.hold(message("later", 60_000)).get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(delayed.heldCount().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            delayed.close();
        }
        try (Storage storage = Storage.open(Storage.Options.defaults(dir))) {
            DelayedMessages delayed = open(storage);
            assertThat(delayed.heldCount().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(delayed.apply(new DelayedMessages.Release(clock.millis() + 59_999))).isEmpty();
            assertThat(delayed.apply(new DelayedMessages.Release(clock.millis() + 60_000))).containsExactly(0L);
            delayed.close();
        }
        assertThat(routed).isEmpty();
    }

    private static Message message(String body, int delayMillis) {
        MessageProperties p = MessageProperties.builder().headers(Map.of("x-delay", delayMillis)).build();
        return Message.of("delayed-x", "k", p, body.getBytes(StandardCharsets.UTF_8), 0);
    }
}
