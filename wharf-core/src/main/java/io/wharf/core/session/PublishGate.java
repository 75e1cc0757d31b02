package io.wharf.core.session;

import io.wharf.core.alarm.ResourceAlarms;
import io.wharf.core.connection.ClientConnection;

import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Holds one connection's publishers back while the broker cannot take more, the same way for
 * every protocol: while too many of the connection's messages (or bytes) were handed to the core
 * but are not stored yet, and while a memory or disk alarm is raised. The protocol adapter maps
 * the gate's two calls to what its protocol has: AMQP {@code connection.blocked}, MQTT and STOMP
 * stop reading, Kafka mutes the channel.
 *
 * <p>As in RabbitMQ, an alarm holds a connection only once it publishes: a connection that only
 * consumes keeps going, which is what drains the broker. The gate closes when
 * {@link #beforePublish()} finds an alarm raised and opens when the alarm clears.
 *
 * <p>Confined to the connection's event loop: every method is called there, and the alarm's
 * changes are handed to it through the executor given at construction.
 */
public final class PublishGate implements ResourceAlarms.Listener, AutoCloseable {

    /** What the protocol does when the gate closes or opens; called on the connection's loop. */
    public interface Valve {
        /**
         * Stop taking publishes for {@code cause}. Called once per cause until {@link #open}.
         *
         * @param reason what an operator or a client may be told (the alarm's text for ALARM)
         */
        void close(Cause cause, String reason);

        /** Take publishes again as far as {@code cause} is concerned. */
        void open(Cause cause);
    }

    /** Why the gate is closed. */
    public enum Cause {
        /** Too many of the connection's publishes are not stored yet: a short pause, "flow" in RabbitMQ's terms. */
        IN_FLIGHT,
        /** A memory or disk alarm: "blocked" until it clears. */
        ALARM
    }

    /** How much a connection may have handed over and not yet stored before it is paused. */
    public record Limits(int messages, long bytes) {

        /**
         * 20,000 messages or 64 MiB, whichever comes first, but never more than a sixteenth of the
         * heap: what is handed over and not stored yet is held in memory, and a few connections
         * flooding a small heap must not fill it before the memory alarm can act.
         */
        public static final Limits DEFAULT = forHeap(Runtime.getRuntime().maxMemory());

        /** The default limits for a heap of {@code maxHeapBytes}. */
        public static Limits forHeap(long maxHeapBytes) {
            return new Limits(20_000, Math.max(1L << 20, Math.min(64L << 20, maxHeapBytes / 16)));
        }
    }

    private final ResourceAlarms alarms;
    private final Executor loop;
    private final Limits limits;
    private final Valve valve;
    private final ClientConnection connection;
    private final EnumSet<Cause> closedFor = EnumSet.noneOf(Cause.class);
    private int inFlightMessages;
    private int heldAcknowledgements;
    private long inFlightBytes;
    private boolean closed;

    /**
     * Starts listening to {@code alarms}; {@link #close()} stops it.
     *
     * @param loop       runs tasks on the connection's event loop, and flushes what they write
     *                   (the adapter's inbox: an acknowledgement written there must go out)
     * @param connection where operators see the gate's {@link #state()}
     */
    public PublishGate(ResourceAlarms alarms, Executor loop, Limits limits, Valve valve, ClientConnection connection) {
        this.alarms = Objects.requireNonNull(alarms, "alarms");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.valve = Objects.requireNonNull(valve, "valve");
        this.connection = Objects.requireNonNull(connection, "connection");
        alarms.addListener(this);
    }

    /**
     * Called as a publish arrives, before it is handed over. Under an alarm the gate closes:
     * this publish still goes through (it was read already), the next ones wait.
     *
     * @return true if the gate is closed for an alarm now
     */
    public boolean beforePublish() {
        String reason = alarms.blockedReason();
        if (reason != null) {
            shut(Cause.ALARM, reason);
            return true;
        }
        return false;
    }

    /** A publish of {@code bytes} was handed to the core and is not stored yet. */
    public void handedOver(long bytes) {
        inFlightMessages++;
        inFlightBytes += bytes;
        if (inFlightMessages > limits.messages() || inFlightBytes > limits.bytes()) {
            shut(Cause.IN_FLIGHT, inFlightMessages + " messages (" + inFlightBytes + " bytes) not stored yet");
        }
    }

    /**
     * Publish, stored, acknowledge, as every protocol does it: counts a publish of {@code bytes}
     * as {@link #handedOver}, and once {@code stored} completes, on the connection's loop, settles
     * it and hands the outcome to {@code acknowledge}, which answers the client as its protocol
     * does (a confirm, a PUBACK, a RECEIPT, a produce response).
     */
    public <T> void whenStored(long bytes, CompletableFuture<T> stored, BiConsumer<? super T, ? super Throwable> acknowledge) {
        handedOver(bytes);
        stored.whenComplete((result, e) -> loop.execute(() -> {
            settled(bytes);
            acknowledge.accept(result, e);
        }));
    }

    /** A publish {@link #handedOver} was stored, or failed: either way it no longer waits. */
    public void settled(long bytes) {
        inFlightMessages--;
        inFlightBytes -= bytes;
        if (inFlightMessages <= limits.messages() / 2 && inFlightBytes <= limits.bytes() / 2) {
            reopen(Cause.IN_FLIGHT);
        }
    }

    /**
     * As {@link #whenStored}, but the acknowledgement also waits for {@code caughtUp}: the
     * consumers of a queue the publish reached fell behind its publishers, and a publisher that
     * waits for its acknowledgements waits for them. The connection goes on being read (its
     * clients' acknowledgements of what they receive among it), so clients that publish to
     * each other, or to themselves, still catch up. The connection shows as in flow meanwhile.
     */
    public <T> void whenStoredAndCaughtUp(long bytes, CompletableFuture<T> stored, CompletableFuture<?> caughtUp,
                                          BiConsumer<? super T, ? super Throwable> acknowledge) {
        heldAcknowledgements++;
        connection.state(state());
        whenStored(bytes, stored.thenCombine(caughtUp, (result, v) -> result), (result, e) -> {
            heldAcknowledgements--;
            connection.state(state());
            acknowledge.accept(result, e);
        });
    }

    /** RabbitMQ's word for the connection's state: {@code blocked} (alarm), {@code flow} (in flight, or acknowledgements held) or {@code running}. */
    public String state() {
        return closedFor.contains(Cause.ALARM) ? "blocked"
                : closedFor.contains(Cause.IN_FLIGHT) || heldAcknowledgements > 0 ? "flow" : "running";
    }

    private void shut(Cause cause, String reason) {
        if (!closed && closedFor.add(cause)) {
            connection.state(state());
            valve.close(cause, reason);
        }
    }

    private void reopen(Cause cause) {
        if (!closed && closedFor.remove(cause)) {
            connection.state(state());
            valve.open(cause);
        }
    }

    @Override
    public void alarmChanged(String reason) {
        if (reason == null) {
            loop.execute(() -> reopen(Cause.ALARM));
        }
    }

    /** Stops listening to the alarms; the valve is not called again. */
    @Override
    public void close() {
        closed = true;
        alarms.removeListener(this);
    }
}
