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
 * <p>Only the schedule (due time and offset per held message) is in memory. Work runs on its own
 * serial executor.
 */
final class DelayedMessages {

    private static final Logger LOG = LoggerFactory.getLogger(DelayedMessages.class);

    private record Due(long at, long offset) {
    }

    private final Log log;
    private final String cursor;
    private final CursorStore cursors;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final SerialExecutor actor;
    private final Function<Message, CompletableFuture<?>> router;
    private final PriorityQueue<Due> schedule = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
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
        this.actor = new SerialExecutor("delayed messages of " + log.name(), pool, null);
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
                        schedule.add(new Due(r.timestamp(), r.offset()));
                        held++;
                    }
                }
                offset = s.nextOffset();
            }
        }
        if (held > 0) {
            LOG.info("{}: {} delayed message(s) held across the restart", log.name(), held);
            actor.execute(this::releaseDue);
        }
    }

    /** Holds a message until now + its x-delay; completes once it is durably held. */
    CompletableFuture<Boolean> hold(Message m) {
        long dueAt = clock.millis() + DelayedMessageExchange.delayOf(m);
        // The record's timestamp is the due time; the message is released as if published then.
        Message held = Message.withEncodedProperties(m.exchange(), m.routingKey(), m.properties(),
                m.encodedProperties(), m.body(), dueAt);
        RecordBatchBuilder b = new RecordBatchBuilder(MessageRecords.estimatedSize(held) + 64);
        MessageRecords.append(b, held);
        PendingAppend append;
        try {
            append = log.append(b.buildChecked());
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        long offset = append.baseOffset();
        return append.future().thenApply(r -> {
            actor.execute(() -> {
                schedule.add(new Due(dueAt, offset));
                releaseDue();
            });
            return true;
        });
    }

    private void releaseDue() {
        long now = clock.millis();
        while (!schedule.isEmpty() && schedule.peek().at <= now) {
            Due d = schedule.poll();
            Message m = read(d.offset);
            if (m == null) {
                cursors.ack(cursor, d.offset);
                continue;
            }
            router.apply(m).whenComplete((r, e) -> {
                if (e == null) {
                    cursors.ack(cursor, d.offset).thenRun(() -> actor.execute(this::maybeTrim));
                } else {
                    LOG.warn("{}: a delayed message could not be routed and is kept: {}", log.name(), e.toString());
                    actor.execute(() -> {
                        schedule.add(new Due(clock.millis() + 1000, d.offset));
                        armTimer();
                    });
                }
            });
        }
        armTimer();
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
        long at = schedule.peek().at;
        if (timer != null && at >= timerAt) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = timers.schedule(() -> actor.execute(this::timerFired), Math.max(0, at - clock.millis()),
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

    /** Messages held now. */
    CompletableFuture<Integer> heldCount() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        actor.execute(() -> f.complete(schedule.size()));
        return f;
    }

    void close() {
        actor.execute(() -> {
            if (timer != null) {
                timer.cancel(false);
            }
        });
    }
}
