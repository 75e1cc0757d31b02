package io.wharf.core.vhost;

import io.wharf.core.concurrent.SerialExecutor;
import io.wharf.core.exchange.DelayedMessageExchange;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageRecords;
import io.wharf.storage.StorageException;
import io.wharf.storage.cursor.CursorState;
import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.cursor.OffsetRangeSet;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.log.PendingAppend;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Messages held by {@code x-delayed-message} exchanges until their time. Each is appended to a
 * durable log with its due time as the record timestamp before its publish is acknowledged, and
 * acknowledged in a cursor once routed, so a crash loses none: at start-up every held message not
 * yet routed is scheduled again (one routed just before a crash may be routed twice).
 *
 * <p>Only the schedule (due time and offset per held message) is in memory, and it changes only
 * by {@link Command} records: {@link Hold} once a message is durably in the log, {@link Release}
 * with the time the owner read from its clock, then {@link Routed} or {@link Postpone} by how
 * routing went. The same commands give the same schedule anywhere.
 *
 * <p>Threading: the schedule is owned by its own {@link SerialExecutor}; {@link #hold} may be
 * called from any thread.
 */
final class DelayedMessages {

    private static final Logger LOG = LoggerFactory.getLogger(DelayedMessages.class);
    private static final long RETRY_AFTER_MILLIS = 1000;

    /** A change to the schedule. */
    sealed interface Command {
    }

    /** The message at {@code offset} of the log is held until {@code dueAt}. */
    record Hold(long offset, long dueAt) implements Command {
    }

    /** Every message due by {@code now} leaves the schedule, to be routed. */
    record Release(long now) implements Command {
    }

    /** The message at {@code offset} reached its queues and is no longer held. */
    record Routed(long offset) implements Command {
    }

    /** The message at {@code offset} could not be routed and is due again at {@code dueAt}. */
    record Postpone(long offset, long dueAt) implements Command {
    }

    private record Due(long at, long offset) {
    }

    private final Log log;
    private final String cursor;
    private final CursorStore cursors;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final SerialExecutor owner;
    private final Function<Message, CompletableFuture<?>> router;
    private final PriorityQueue<Due> schedule = new PriorityQueue<>(
            Comparator.comparingLong(Due::at).thenComparingLong(Due::offset));
    private final Set<Long> routing = new HashSet<>();
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    private int releasedSinceTrim;

    /**
     * @param router routes a released message (its exchange is the delayed exchange's name) and
     *               completes once every queue it reached has stored it
     */
    DelayedMessages(Log log, String cursor, CursorStore cursors, Clock clock, ScheduledExecutorService timers,
                    Executor pool, Function<Message, CompletableFuture<?>> router) {
        this.log = log;
        this.cursor = cursor;
        this.cursors = cursors;
        this.clock = clock;
        this.timers = timers;
        this.router = router;
        this.owner = new SerialExecutor("delayed messages of " + log.name(), pool, null);
        recover();
    }

    private void recover() {
        CursorState state = cursors.get(cursor).orElse(null);
        OffsetRangeSet done = new OffsetRangeSet();
        long offset = log.startOffset();
        if (state != null) {
            offset = Math.max(offset, state.markDelete());
            state.acked().forEach(r -> done.add(r.first(), r.last()));
        }
        long end = log.endOffset();
        int held = 0;
        while (offset < end) {
            try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                for (Record r : s.records()) {
                    if (!done.contains(r.offset())) {
                        apply(new Hold(r.offset(), r.timestamp()));
                        held++;
                    }
                }
                offset = s.nextOffset();
            }
        }
        if (held > 0) {
            LOG.info("{}: {} delayed message(s) held across the restart", log.name(), held);
            owner.execute(this::releaseDue);
        }
    }

    /** Holds a message until now + its x-delay; completes once it is durably held. */
    CompletableFuture<Boolean> hold(Message m) {
        long dueAt = clock.millis() + DelayedMessageExchange.delayOf(m);
        // The record's timestamp is the due time; the message is released as if published then.
        Message held = Message.withEncodedProperties(m.exchange(), m.routingKey(), m.properties(),
                m.encodedProperties(), m.body(), dueAt);
        RecordBatchBuilder b = MessageRecords.newBatch(List.of(held));
        MessageRecords.append(b, held);
        PendingAppend append;
        try {
            append = log.append(b.buildChecked());
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        long offset = append.baseOffset();
        return append.future().thenApply(r -> {
            owner.execute(() -> {
                apply(new Hold(offset, dueAt));
                releaseDue();
            });
            return true;
        });
    }

    /**
     * Applies a change to the schedule; on the owner. Returns the offsets a {@link Release} took
     * out of the schedule, in due order (nothing for the other commands).
     */
    List<Long> apply(Command command) {
        switch (command) {
            case Hold h -> schedule.add(new Due(h.dueAt(), h.offset()));
            case Release r -> {
                List<Long> due = new ArrayList<>();
                while (!schedule.isEmpty() && schedule.peek().at() <= r.now()) {
                    long offset = schedule.poll().offset();
                    routing.add(offset);
                    due.add(offset);
                }
                return due;
            }
            case Routed r -> routing.remove(r.offset());
            case Postpone p -> {
                if (routing.remove(p.offset())) {
                    schedule.add(new Due(p.dueAt(), p.offset()));
                }
            }
        }
        return List.of();
    }

    private void releaseDue() {
        for (long offset : apply(new Release(clock.millis()))) {
            Message m = read(offset);
            if (m == null) {
                routed(offset);
                continue;
            }
            router.apply(m).whenComplete((r, e) -> {
                if (e == null) {
                    owner.execute(() -> routed(offset));
                } else {
                    LOG.warn("{}: a delayed message could not be routed and is kept: {}", log.name(), e.toString());
                    owner.execute(() -> {
                        apply(new Postpone(offset, clock.millis() + RETRY_AFTER_MILLIS));
                        armTimer();
                    });
                }
            });
        }
        armTimer();
    }

    private void routed(long offset) {
        apply(new Routed(offset));
        cursors.ack(cursor, offset).thenRun(() -> owner.execute(this::maybeTrim));
    }

    /** Deletes log segments every message of which has been released. */
    private void maybeTrim() {
        if (++releasedSinceTrim < 1000) {
            return;
        }
        releasedSinceTrim = 0;
        cursors.get(cursor).ifPresent(c -> {
            try {
                log.deleteSegmentsBefore(c.markDelete());
            } catch (java.io.IOException | StorageException e) {
                LOG.warn("{}: cannot delete released segments yet: {}", log.name(), e.toString());
            }
        });
    }

    private void armTimer() {
        if (schedule.isEmpty()) {
            return;
        }
        long at = schedule.peek().at();
        if (timer != null && at >= timerAt) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = timers.schedule(() -> owner.execute(this::timerFired), Math.max(0, at - clock.millis()),
                TimeUnit.MILLISECONDS);
    }

    /**
     * The timer is forgotten here, on the actor, rather than judged by its future: a timer that has
     * fired may not yet count as done when its release runs, and the next one would never be armed.
     * A cancelled timer that fired anyway only causes one more, harmless, wake-up.
     */
    private void timerFired() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        releaseDue();
    }

    private Message read(long offset) {
        try (LogSlice s = log.read(offset, 1, Log.ReadBound.WRITTEN)) {
            for (Record r : s.records()) {
                if (r.offset() == offset) {
                    return MessageRecords.read(r);
                }
            }
        } catch (StorageException | MalformedDataException e) {
            LOG.error("{}: delayed message at offset {} cannot be read and is dropped: {}", log.name(), offset, e.getMessage());
        }
        return null;
    }

    /** Messages held now, counting those being routed. */
    CompletableFuture<Integer> heldCount() {
        return owner.submit(() -> CompletableFuture.completedFuture(schedule.size() + routing.size()));
    }

    void close() {
        owner.execute(() -> {
            if (timer != null) {
                timer.cancel(false);
            }
        });
    }
}
