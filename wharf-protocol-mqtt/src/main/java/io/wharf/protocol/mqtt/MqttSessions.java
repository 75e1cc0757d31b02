package io.wharf.protocol.mqtt;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The MQTT sessions of one listener by client id: which connection holds each session now, so a
 * second connection with the same client id takes the session over, and the wills waiting out
 * their delay.
 *
 * <p>Owned by one thread, the listener's timer: every method hands its work to it and answers
 * with a future, so holding, letting go and a delayed will firing are applied in one order.
 */
final class MqttSessions {

    /** A session just taken, and the connection that held it before (to be taken over), or null. */
    record Taken(MqttSession session, MqttConnection previous) {
    }

    private final ScheduledExecutorService owner;
    private final Map<String, MqttSession> sessions = new HashMap<>();

    MqttSessions(ScheduledExecutorService owner) {
        this.owner = owner;
    }

    /** Makes a connection the holder of the client id's session (created empty if it has none); a pending will is cancelled. */
    CompletableFuture<Taken> take(String clientId, MqttConnection connection) {
        return onOwner(() -> {
            MqttSession s = sessions.computeIfAbsent(clientId, MqttSession::new);
            MqttConnection previous = s.holder;
            s.holder = connection;
            if (s.pendingWill != null) {
                s.pendingWill.cancel(false);
                s.pendingWill = null;
            }
            return new Taken(s, previous);
        });
    }

    /**
     * A connection lets go of its session. Its will, if any, is published now or after its delay;
     * a delayed one is dropped when another connection already holds the session, and cancelled if
     * one takes it before the delay is out. Completes with whether the session ended: nobody holds
     * it and {@code endsWithoutHolder}.
     */
    CompletableFuture<Boolean> release(MqttSession s, MqttConnection connection, boolean endsWithoutHolder,
                                       Runnable will, long willDelayMs) {
        return onOwner(() -> {
            if (s.holder == connection) {
                s.holder = null;
            }
            if (will != null && willDelayMs <= 0) {
                will.run();
            } else if (will != null && s.holder == null) {
                s.pendingWill = owner.schedule(() -> {
                    s.pendingWill = null;
                    will.run();
                }, willDelayMs, TimeUnit.MILLISECONDS);
            }
            boolean ended = s.holder == null && endsWithoutHolder;
            if (ended) {
                sessions.remove(s.clientId, s);
            }
            return ended;
        });
    }

    private <T> CompletableFuture<T> onOwner(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, owner);
        } catch (RejectedExecutionException e) {
            // The listener is stopping: nothing holds sessions any more.
            return CompletableFuture.failedFuture(e);
        }
    }
}
