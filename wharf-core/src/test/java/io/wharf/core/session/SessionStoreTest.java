package io.wharf.core.session;

import io.wharf.core.TestBroker;
import io.wharf.core.session.SessionStore.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SessionStoreTest {

    @TempDir
    Path dir;

    @TempDir
    Path other;

    private static final List<SessionCommand> COMMANDS = List.of(
            new SessionCommand.Subscribe("mqtt", "a", new Subscription("x/#", 1, false, false, null)),
            new SessionCommand.Subscribe("mqtt", "a", new Subscription("$share/g/y", 2, true, true, "g")),
            new SessionCommand.Subscribe("mqtt", "b", new Subscription("z", 0, false, false, null)),
            new SessionCommand.Subscribe("mqtt", "a", new Subscription("x/#", 0, false, true, null)),
            new SessionCommand.Unsubscribe("mqtt", "b", "z"),
            new SessionCommand.Subscribe("mqtt", "c", new Subscription("q", 1, false, false, null)),
            new SessionCommand.Discard("mqtt", "c"),
            new SessionCommand.Unsubscribe("mqtt", "nobody", "q"));

    /** Applies every command and waits for each: the last changes nothing, so it completes before the writes before it. */
    private static void applyAll(SessionStore store) throws Exception {
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (SessionCommand c : COMMANDS) {
            applied.add(store.apply(c));
        }
        CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldReachTheSameSessionsFromTheSameCommandsOnAnyBrokerAndAfterARestart() throws Exception {
        try (TestBroker one = new TestBroker(dir); TestBroker two = new TestBroker(other)) {
            applyAll(one.vhost().sessions());
            applyAll(two.vhost().sessions());

            SessionStore.Session a = one.vhost().sessions().get("mqtt", "a").orElseThrow();
            assertThat(a.subscriptions().values()).containsExactly(
                    new Subscription("x/#", 0, false, true, null), new Subscription("$share/g/y", 2, true, true, "g"));
            // A session whose last subscription went is kept, empty: the client still has a session.
            assertThat(one.vhost().sessions().get("mqtt", "b")).get().extracting(s -> s.subscriptions().size()).isEqualTo(0);
            assertThat(one.vhost().sessions().get("mqtt", "c")).isEmpty();
            assertThat(one.vhost().sessions().get("mqtt", "nobody")).isEmpty();
            assertThat(two.vhost().sessions().all("mqtt")).isEqualTo(one.vhost().sessions().all("mqtt"));

            one.restart();
            assertThat(one.vhost().sessions().all("mqtt")).isEqualTo(two.vhost().sessions().all("mqtt"));
            assertThat(one.vhost().sessions().all("stomp")).isEmpty();
        }
    }
}
