package io.wharf.core.queue;

import io.wharf.core.BrokerException;
import io.wharf.core.concurrent.SerialExecutor;
import io.wharf.core.message.Message;
import io.wharf.storage.StorageException;
import io.wharf.core.stats.MessageStats;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogDamage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A queue: a log of messages and a shared cursor over it, from which competing consumers take
 * messages one at a time, acknowledge, reject or return them.
 *
 * <p>Every operation runs on the queue's own {@link SerialExecutor}, so its state needs no locks;
 * the public methods post work there and answer with futures. Messages published during one run
 * of the executor are appended to the log as one batch. A message may be delivered as soon as it
 * is appended; a publisher is told it is stored once the append is durable (for a persistent
 * message in a durable queue) or written.
 *
 * <p>With {@code x-max-priority} the queue has one log per priority level ("lane") and serves
 * higher lanes first. Message identities encode the lane and the offset.
 */
public final class Queue {

    private static final String OWNER_ONLY = "a queue changes on its owner only";

    /** What a queue needs from the virtual host that holds it. */
    public interface Owner {
        String vhostName();

        /** Publishes a message the queue dead-letters (rejected, expired, or over its length limit). */
        void deadLetter(Queue from, Message message, String reason);

        /** Asks for the queue to be deleted because it is unused (auto-delete, x-expires). */
        void deleteUnused(Queue queue, String why);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Queue.class);
    private static final int LANE_SHIFT = 56;
    private static final long OFFSET_MASK = (1L << LANE_SHIFT) - 1;

    private record Head(Lane lane, long offset, Message message, boolean returned) {
    }

    private record CatchUp(long ready, CompletableFuture<Void> future) {
    }

    private final QueueDefinition definition;
    private final QueueArguments args;
    private final Object exclusiveOwner;
    private final QueueContext ctx;
    private final Owner owner;
    private final SerialExecutor actor;
    private final Lane[] lanes;
    private final PendingAppends pending;
    private final Map<Long, Integer> unacked = new HashMap<>();
    private final QueueConsumers consumers;
    private final List<CatchUp> catchUps = new ArrayList<>();

    private long lastUsedMs;
    private boolean deleted;
    private boolean dispatchNeeded;
    private ScheduledFuture<?> ttlTimer;
    private ScheduledFuture<?> expiryTimer;

    private final MessageStats stats = new MessageStats();
    private volatile long readySnapshot;
    private volatile long readyBytesSnapshot;
    private volatile long unackedSnapshot;
    private volatile int consumerSnapshot;

    private Queue(QueueDefinition definition, QueueArguments args, Object exclusiveOwner, QueueContext ctx, Owner owner,
                  Lane[] lanes) {
        this.definition = definition;
        this.args = args;
        this.exclusiveOwner = exclusiveOwner;
        this.ctx = ctx;
        this.owner = owner;
        this.lanes = lanes;
        this.consumers = new QueueConsumers(args.singleActiveConsumer());
        this.actor = new SerialExecutor("queue " + definition.name(), ctx.pool(), this::afterRun);
        this.pending = new PendingAppends(lanes, definition.persistent(), actor, () -> dispatchNeeded = true);
        this.lastUsedMs = ctx.clock().millis();
    }

    /**
     * Opens a queue's logs: a new queue starts empty; a recovered durable queue rebuilds its state
     * from its logs and cursor.
     */
    public static Queue open(QueueDefinition definition, QueueArguments args, Object exclusiveOwner, QueueContext ctx,
                             Owner owner, boolean recover) throws IOException {
        int count = args.maxPriority() + 1;
        Lane[] lanes = new Lane[count];
        for (int p = 0; p < count; p++) {
            String logName = logName(owner.vhostName(), definition, p);
            boolean persistent = definition.persistent();
            if (!persistent || !recover) {
                // A new queue starts from nothing, whatever an earlier one of the same name left.
                ctx.logs().delete(logName);
                if (persistent) {
                    ctx.cursors().delete(logName).join();
                }
            }
            Log log = ctx.logs().open(logName, persistent ? ctx.durableLogs() : ctx.transientLogs());
            lanes[p] = new Lane(p, log, persistent ? logName : null, ctx.cursors(), ctx.cacheBytes(), ctx.cacheLimit());
            if (recover) {
                lanes[p].recover();
            }
        }
        Queue q = new Queue(definition, args, exclusiveOwner, ctx, owner, lanes);
        q.publishSnapshot();
        q.actor.execute(q::scheduleTimers);
        return q;
    }

    /** Where the logs of queues that do not survive a restart are named. */
    public static final String TRANSIENT_LOG_PREFIX = "transient/";

    static String logName(String vhost, QueueDefinition d, int lane) {
        return (d.persistent() ? "queue/" : TRANSIENT_LOG_PREFIX) + vhost + "/" + d.name() + (lane == 0 ? "" : "/priority-" + lane);
    }

    public String name() {
        return definition.name();
    }

    public QueueDefinition definition() {
        return definition;
    }

    public QueueArguments arguments() {
        return args;
    }

    /** The connection an exclusive queue belongs to, or null. */
    public Object exclusiveOwner() {
        return exclusiveOwner;
    }

    /** Ready messages, as of the queue's last run. */
    public long messageCount() {
        return readySnapshot;
    }

    public long unackedCount() {
        return unackedSnapshot;
    }

    /** Body bytes of the ready messages, as of the queue's last run. */
    public long readyBytes() {
        return readyBytesSnapshot;
    }

    /** Bytes the queue's logs take on disk (or in memory, for a transient queue). */
    public long logBytes() {
        long total = 0;
        for (Lane lane : lanes) {
            total += lane.log.sizeInBytes();
        }
        return total;
    }

    /** The damaged stretches of the queue's logs, whose messages are skipped. */
    public List<LogDamage> damage() {
        List<LogDamage> out = new ArrayList<>();
        for (Lane lane : lanes) {
            out.addAll(lane.log.damage());
        }
        return out;
    }

    /** What the queue has done since the broker started. */
    public MessageStats stats() {
        return stats;
    }

    public int consumerCount() {
        return consumerSnapshot;
    }

    public String describe() {
        return "queue '" + definition.name() + "' in vhost '" + owner.vhostName() + "'";
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Adds a message. The future completes with true once the message is stored (durably, if it is
     * persistent and the queue durable), with false if the queue refused it (a length limit with
     * reject-publish), or exceptionally if storing it failed. A message that reaches the queue as
     * it is deleted goes with it: its future completes with true.
     */
    public CompletableFuture<Boolean> enqueue(Message m) {
        CompletableFuture<Boolean> stored = new CompletableFuture<>();
        // The command holds its own reference to a borrowed body: the publisher releases its own when routing returns.
        Message held = m.retain();
        actor.execute(() -> enqueue(new QueueCommand.Enqueue(held), stored));
        return stored;
    }

    private void enqueue(QueueCommand.Enqueue c, CompletableFuture<Boolean> stored) {
        assert actor.inExecutor() : OWNER_ONLY;
        Message m = c.message();
        if (deleted) {
            // Routed to the queue just before it went: the message goes with it, as RabbitMQ
            // confirms a message whose queue is deleted. Not a failure to store.
            m.release();
            stored.complete(true);
            return;
        }
        if (overLimit(m.bodySize())) {
            switch (args.overflow()) {
                case DROP_HEAD -> {
                    while (overLimit(m.bodySize()) && removeHead("maxlen")) {
                        // drop from the head until the new message fits
                    }
                    if (overLimit(m.bodySize())) {
                        // It does not fit even into an empty queue: it is the head that drops.
                        owner.deadLetter(this, m, "maxlen");
                        m.release();
                        stored.complete(true);
                        return;
                    }
                }
                case REJECT_PUBLISH -> {
                    m.release();
                    stored.complete(false);
                    return;
                }
                case REJECT_PUBLISH_DLX -> {
                    owner.deadLetter(this, m, "maxlen");
                    m.release();
                    stored.complete(false);
                    return;
                }
            }
        }
        if (m.properties().expiration() != null) {
            startTtlTimer();
        }
        Lane lane = laneFor(m);
        stats.published(1, m.bodySize());
        dispatchNeeded = true;
        pending.add(lane, m, stored);
    }

    private boolean overLimit(int extraBytes) {
        long ready = readyCount();
        return (args.maxLength() >= 0 && ready + 1 > args.maxLength())
                || (args.maxLengthBytes() >= 0 && readyBytesNow() + extraBytes > args.maxLengthBytes());
    }

    private Lane laneFor(Message m) {
        if (lanes.length == 1) {
            return lanes[0];
        }
        Integer p = m.properties().priority();
        return lanes[p == null ? 0 : Math.min(p, lanes.length - 1)];
    }

    // ---------------------------------------------------------------- consuming

    /**
     * Adds a consumer.
     *
     * @throws BrokerException (in the future) ACCESS_REFUSED if the queue or an existing consumer is exclusive
     */
    public CompletableFuture<Void> consume(ConsumerSpec spec) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        actor.execute(() -> {
            if (deleted) {
                done.completeExceptionally(BrokerException.notFound("no " + describe()));
                return;
            }
            if (!consumers.add(spec)) {
                done.completeExceptionally(BrokerException.accessRefused(describe() + " in exclusive use"));
                return;
            }
            lastUsedMs = ctx.clock().millis();
            dispatchNeeded = true;
            done.complete(null);
        });
        return done;
    }

    /** The queue's consumers now, in the order they were added. */
    public CompletableFuture<List<ConsumerSpec>> consumers() {
        CompletableFuture<List<ConsumerSpec>> out = new CompletableFuture<>();
        actor.execute(() -> out.complete(consumers.all()));
        return out;
    }

    /** Removes a consumer; its unacknowledged messages stay with its channel until acked or returned. */
    public CompletableFuture<Boolean> cancel(String tag) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        actor.execute(() -> done.complete(removeConsumer(tag)));
        return done;
    }

    private boolean removeConsumer(String tag) {
        if (!consumers.remove(tag)) {
            return false;
        }
        lastUsedMs = ctx.clock().millis();
        dispatchNeeded = true;
        if (consumers.isEmpty() && consumers.hadConsumers() && definition.autoDelete() && !deleted) {
            owner.deleteUnused(this, "its last consumer was cancelled");
        }
        return true;
    }

    /**
     * Completes once the queue holds at most {@code ready} ready messages, or has no consumer left
     * to take them, or is gone: its consumers have caught up with its publishers.
     */
    public CompletableFuture<Void> whenCaughtUp(long ready) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // Checked when the run ends (publishSnapshot), with the rest.
        actor.execute(() -> catchUps.add(new CatchUp(ready, done)));
        return done;
    }

    /** Asks the queue to try delivering again: a consumer has room, or a message became readable. */
    public void wakeUp() {
        actor.execute(() -> dispatchNeeded = true);
    }

    /** Takes one message for a get; empty if none is ready. */
    public CompletableFuture<Optional<Delivery>> get(boolean noAck) {
        CompletableFuture<Optional<Delivery>> done = new CompletableFuture<>();
        actor.execute(() -> {
            if (deleted) {
                done.completeExceptionally(BrokerException.notFound("no " + describe()));
                return;
            }
            pending.flush();
            lastUsedMs = ctx.clock().millis();
            Head h = head();
            if (h == null) {
                done.complete(Optional.empty());
                return;
            }
            done.complete(Optional.of(deliver(new QueueCommand.Deliver(idOf(h.lane(), h.offset()), null, noAck), h)));
        });
        return done;
    }

    /** Acknowledges a delivered message. */
    public void ack(long id) {
        actor.execute(() -> settle(new QueueCommand.Settle(List.of(id))));
    }

    /** Acknowledges several delivered messages at once. */
    public void ack(Collection<Long> ids) {
        actor.execute(() -> settle(new QueueCommand.Settle(List.copyOf(ids))));
    }

    /** Rejects a delivered message: back to ready, or dead-lettered (or dropped) for good. */
    public void reject(long id, boolean requeue) {
        actor.execute(() -> {
            if (!unacked.containsKey(id)) {
                return;
            }
            if (requeue && !deleted) {
                returnToReady(new QueueCommand.Return(List.of(id)));
            } else {
                discard(new QueueCommand.Discard(id, "rejected"));
            }
        });
    }

    /** Returns delivered messages to ready, in their original order (a channel closed, or recover). */
    public void requeue(Collection<Long> ids) {
        actor.execute(() -> returnToReady(new QueueCommand.Return(List.copyOf(ids))));
    }

    /**
     * Applies a command decided elsewhere, in turn with the queue's own work: what a replica does
     * with the commands its leader decided. Nothing is sent to consumers. Completes once the
     * command is applied (an enqueue, once the message is stored).
     */
    public CompletableFuture<Void> apply(QueueCommand command) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        actor.execute(() -> {
            try {
                switch (command) {
                    case QueueCommand.Enqueue c -> {
                        CompletableFuture<Boolean> stored = new CompletableFuture<>();
                        enqueue(c, stored);
                        stored.whenComplete((ok, e) -> {
                            if (e != null) {
                                done.completeExceptionally(e);
                            } else {
                                done.complete(null);
                            }
                        });
                        return;
                    }
                    // Applied as a replica would, with no consumer here to give the delivery to.
                    case QueueCommand.Deliver c -> deliver(c, null).release();
                    case QueueCommand.Settle c -> settle(c);
                    case QueueCommand.Return c -> returnToReady(c);
                    case QueueCommand.Discard c -> discard(c);
                    case QueueCommand.Expire c -> expire(c, null);
                    case QueueCommand.Purge c -> purge(c);
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void settle(QueueCommand.Settle c) {
        assert actor.inExecutor() : OWNER_ONLY;
        for (long id : c.ids()) {
            if (unacked.remove(id) != null) {
                laneOf(id).markDone(offsetOf(id));
                stats.acknowledged(1);
            }
        }
    }

    private void returnToReady(QueueCommand.Return c) {
        assert actor.inExecutor() : OWNER_ONLY;
        for (long id : c.ids()) {
            Integer size = unacked.remove(id);
            if (size != null && !deleted) {
                laneOf(id).returnToReady(offsetOf(id), size);
            }
        }
        dispatchNeeded = true;
    }

    private void discard(QueueCommand.Discard c) {
        assert actor.inExecutor() : OWNER_ONLY;
        if (unacked.remove(c.id()) == null) {
            return;
        }
        Lane lane = laneOf(c.id());
        long offset = offsetOf(c.id());
        Message m = lane.read(offset);
        lane.markDone(offset);
        if (m != null) {
            owner.deadLetter(this, m, c.reason());
        }
    }

    // ---------------------------------------------------------------- management

    /** Removes every ready message; unacknowledged ones stay. Completes with how many went. */
    public CompletableFuture<Long> purge() {
        CompletableFuture<Long> done = new CompletableFuture<>();
        actor.execute(() -> done.complete(purge(new QueueCommand.Purge())));
        return done;
    }

    private long purge(QueueCommand.Purge c) {
        assert actor.inExecutor() : OWNER_ONLY;
        pending.flush();
        long n = 0;
        for (Lane lane : lanes) {
            n += lane.purge();
        }
        publishSnapshot();
        return n;
    }

    /**
     * Deletes the queue if allowed: completes with the number of ready messages it held, or fails
     * with PRECONDITION_FAILED when {@code ifUnused} or {@code ifEmpty} forbid it.
     */
    public CompletableFuture<Long> delete(boolean ifUnused, boolean ifEmpty) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        actor.execute(() -> {
            if (deleted) {
                done.complete(0L);
                return;
            }
            if (ifUnused && !consumers.isEmpty()) {
                done.completeExceptionally(BrokerException.preconditionFailed(describe() + " in use"));
                return;
            }
            if (ifEmpty && readyCount() > 0) {
                done.completeExceptionally(BrokerException.preconditionFailed(describe() + " not empty"));
                return;
            }
            done.complete(destroy());
        });
        return done;
    }

    /** Deletes unconditionally (its exclusive owner went, or its vhost is going); completes when done. */
    public CompletableFuture<Long> forceDelete() {
        CompletableFuture<Long> done = new CompletableFuture<>();
        actor.execute(() -> done.complete(deleted ? 0L : destroy()));
        return done;
    }

    private long destroy() {
        long count = readyCount();
        deleted = true;
        cancelTimers();
        for (ConsumerSpec c : consumers.clear()) {
            c.consumer().cancelledByBroker(describe() + " was deleted");
        }
        pending.dropAll();
        unacked.clear();
        for (Lane lane : lanes) {
            lane.clearCache();
            String logName = lane.log.name();
            try {
                ctx.logs().delete(logName);
                if (definition.persistent()) {
                    ctx.cursors().delete(logName);
                }
            } catch (IOException | StorageException e) {
                LOG.warn("{}: its log could not be removed: {}", describe(), e.toString());
            }
        }
        publishSnapshot();
        return count;
    }

    /** Stops the queue's timers and hands over what it gathered, as at broker shutdown. */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        actor.execute(() -> {
            pending.flush();
            // A deleted queue's logs and cursors are gone already: nothing of it is left to keep.
            for (Lane lane : deleted ? new Lane[0] : lanes) {
                try {
                    // Forced now, so that every acknowledgement of a message in it can be saved.
                    lane.log.flush();
                } catch (IOException | StorageException e) {
                    LOG.warn("{}: its log could not be forced at close: {}", describe(), e.toString());
                }
                lane.saveCursor();
            }
            cancelTimers();
            done.complete(null);
        });
        return done;
    }

    /** The queue was redeclared or otherwise used: restarts its x-expires clock. */
    public void touch() {
        actor.execute(() -> lastUsedMs = ctx.clock().millis());
    }

    // ---------------------------------------------------------------- the actor's work

    private void afterRun() {
        pending.flush();
        if (dispatchNeeded && !deleted) {
            dispatchNeeded = false;
            dispatch();
        }
        if (!deleted) {
            for (Lane lane : lanes) {
                lane.saveCursor();
            }
        }
        publishSnapshot();
    }

    private void publishSnapshot() {
        if (!catchUps.isEmpty()) {
            long ready = readyCount();
            for (var it = catchUps.iterator(); it.hasNext(); ) {
                CatchUp c = it.next();
                if (c.ready() >= ready || consumers.isEmpty() || deleted) {
                    it.remove();
                    c.future().complete(null);
                }
            }
        }
        readySnapshot = readyCount();
        readyBytesSnapshot = readyBytesNow();
        unackedSnapshot = unacked.size();
        consumerSnapshot = consumers.size();
    }

    private void dispatch() {
        if (consumers.isEmpty()) {
            expireHead();
            return;
        }
        while (true) {
            Head h = head();
            if (h == null) {
                return;
            }
            ConsumerSpec c = consumers.pick(h.message().bodySize());
            if (c == null) {
                return;
            }
            Delivery d = deliver(new QueueCommand.Deliver(idOf(h.lane(), h.offset()), c.tag(), c.noAck()), h);
            try {
                c.consumer().deliver(d);
            } catch (RuntimeException e) {
                // The consumer did not take the delivery, nor its reference to a borrowed body.
                d.release();
                throw e;
            }
        }
    }

    /**
     * Hands the head message out: ready no more, unacknowledged unless no-ack.
     *
     * @param resolved the head as the caller just read it, or null to read it here
     */
    private Delivery deliver(QueueCommand.Deliver c, Head resolved) {
        assert actor.inExecutor() : OWNER_ONLY;
        Head h = resolved != null ? resolved : headAt(c.id());
        Lane lane = h.lane();
        lane.takeHead(h.offset(), h.message().bodySize());
        lane.noteDelivered();
        long id = c.id();
        if (c.noAck()) {
            lane.markDone(h.offset());
        } else {
            unacked.put(id, h.message().bodySize());
        }
        boolean redelivered = lane.redelivered(h.offset(), h.returned());
        stats.delivered(1, h.message().bodySize(), redelivered);
        // A body still borrowed (its append not yet written) is read on the consumer's thread: the delivery holds a reference.
        return new Delivery(this, id, h.message().retain(), redelivered, readyCount());
    }

    /** The next ready message, after dropping any expired ones before it; null if none is ready now. */
    private Head head() {
        while (true) {
            Head h = peek();
            if (h == null) {
                return null;
            }
            if (!expired(h.message())) {
                return h;
            }
            expire(new QueueCommand.Expire(idOf(h.lane(), h.offset())), h);
        }
    }

    private void expire(QueueCommand.Expire c, Head resolved) {
        assert actor.inExecutor() : OWNER_ONLY;
        removeTaken(resolved != null ? resolved : headAt(c.id()), "expired");
    }

    /** The head of a lane, which a command names by its id; a command naming anything else is refused. */
    private Head headAt(long id) {
        pending.flush();
        Lane lane = laneOf(id);
        long offset = offsetOf(id);
        if (lane.headOffset() != offset || !lane.readable(offset)) {
            throw new IllegalStateException(describe() + ": message " + id + " is not at the head of its lane");
        }
        boolean returned = lane.headIsReturned();
        Message m = lane.read(offset);
        if (m == null) {
            throw new IllegalStateException(describe() + ": message " + id + " cannot be read");
        }
        return new Head(lane, offset, m, returned);
    }

    private Head peek() {
        for (int p = lanes.length - 1; p >= 0; p--) {
            Lane lane = lanes[p];
            long offset = lane.headOffset();
            while (offset >= 0) {
                if (!lane.readable(offset)) {
                    break;
                }
                boolean returned = lane.headIsReturned();
                Message m = lane.read(offset);
                if (m != null) {
                    return new Head(lane, offset, m, returned);
                }
                // Nothing readable there: damage, already reported by the log. Skip it.
                lane.takeHead(offset, 0);
                lane.markDone(offset);
                offset = lane.headOffset();
            }
        }
        return null;
    }

    private void removeTaken(Head h, String reason) {
        h.lane().takeHead(h.offset(), h.message().bodySize());
        h.lane().markDone(h.offset());
        owner.deadLetter(this, h.message(), reason);
    }

    /** Removes the oldest ready message (for drop-head); false if there is none. */
    private boolean removeHead(String reason) {
        Head h = peek();
        if (h != null) {
            removeTaken(h, reason);
            return true;
        }
        PendingAppends.Pending first = pending.removeOldest();
        if (first == null) {
            return false;
        }
        first.stored().complete(true);
        owner.deadLetter(this, first.message(), reason);
        first.message().release();
        return true;
    }

    /**
     * Drops expired messages from the head. As in RabbitMQ, per-message expiration is honoured at
     * the head only: a message behind a longer-lived one waits for it.
     */
    private void expireHead() {
        if (ttlTimer != null) {
            head();
        }
    }

    private boolean expired(Message m) {
        long ttl = args.messageTtl();
        String e = m.properties().expiration();
        if (e != null) {
            try {
                long perMessage = Long.parseLong(e);
                ttl = ttl < 0 ? perMessage : Math.min(ttl, perMessage);
            } catch (NumberFormatException ignored) {
                // rejected at publish; a stored one cannot be malformed
            }
        }
        return ttl >= 0 && ctx.clock().millis() - m.arrivedAtMillis() >= ttl;
    }

    private void scheduleTimers() {
        if (args.messageTtl() >= 0) {
            startTtlTimer();
        }
        if (args.expires() > 0) {
            long period = Math.max(50, Math.min(args.expires() / 2, 1000));
            expiryTimer = ctx.timers().scheduleWithFixedDelay(() -> actor.execute(this::checkExpiry), period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Checks the head for expired messages every so often, so they leave (and dead-letter) without a consumer. */
    private void startTtlTimer() {
        if (ttlTimer == null && !deleted) {
            long ttl = args.messageTtl() >= 0 ? args.messageTtl() : 1000;
            long period = Math.max(50, Math.min(ttl, 1000));
            ttlTimer = ctx.timers().scheduleWithFixedDelay(() -> actor.execute(this::expireHead), period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void checkExpiry() {
        if (!deleted && consumers.isEmpty() && ctx.clock().millis() - lastUsedMs >= args.expires()) {
            owner.deleteUnused(this, "it was unused for " + args.expires() + " ms (x-expires)");
        }
    }

    private void cancelTimers() {
        if (ttlTimer != null) {
            ttlTimer.cancel(false);
        }
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
        }
    }

    private long readyCount() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.readyCount;
        }
        return n;
    }

    private long readyBytesNow() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.readyBytes;
        }
        return n;
    }

    private static long idOf(Lane lane, long offset) {
        return ((long) lane.priority << LANE_SHIFT) | offset;
    }

    private Lane laneOf(long id) {
        return lanes[(int) (id >>> LANE_SHIFT)];
    }

    private static long offsetOf(long id) {
        return id & OFFSET_MASK;
    }

    @Override
    public String toString() {
        return describe();
    }
}
