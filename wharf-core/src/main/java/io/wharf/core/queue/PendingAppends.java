package io.wharf.core.queue;

import io.wharf.core.message.Message;
import io.wharf.core.message.MessageRecords;
import io.wharf.storage.StorageException;
import io.wharf.storage.log.PendingAppend;
import io.wharf.storage.record.RecordBatchBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Messages a queue took during one run of its owner, appended to their lanes' logs as one batch
 * per lane when the run ends (or sooner, once a megabyte is waiting). A message counts as ready
 * from the moment it is taken; its publisher is told it is stored once the append is written, or
 * durable for a persistent message in a durable queue.
 *
 * <p>Each waiting message holds a reference to a borrowed body until its append is written; a
 * message still in its lane's cache then moves to the heap, so that network buffers are not
 * kept for messages that wait in the queue.
 *
 * <p>Not thread-safe: it belongs to its queue's owner.
 */
final class PendingAppends {

    private static final long FLUSH_BYTES = 1 << 20;

    record Pending(Message message, CompletableFuture<Boolean> stored) {
    }

    private final Lane[] lanes;
    private final boolean durable;
    private final Executor owner;
    private final Runnable appended;
    private final List<List<Pending>> pending = new ArrayList<>();
    private long bytes;

    /**
     * @param durable  whether the queue survives restarts: its persistent messages are stored once forced
     * @param owner    the queue's owner, where a failed append is undone
     * @param appended called on the owner when an append completed and made messages readable
     */
    PendingAppends(Lane[] lanes, boolean durable, Executor owner, Runnable appended) {
        this.lanes = lanes;
        this.durable = durable;
        this.owner = owner;
        this.appended = appended;
        for (int i = 0; i < lanes.length; i++) {
            pending.add(new ArrayList<>());
        }
    }

    void add(Lane lane, Message m, CompletableFuture<Boolean> stored) {
        pending.get(lane.priority).add(new Pending(m, stored));
        lane.readyCount++;
        lane.readyBytes += m.bodySize();
        bytes += m.bodySize();
        if (bytes >= FLUSH_BYTES) {
            flush();
        }
    }

    /** Appends every message waiting, one batch per lane. */
    void flush() {
        for (Lane lane : lanes) {
            List<Pending> batch = pending.get(lane.priority);
            if (!batch.isEmpty()) {
                List<Pending> taken = new ArrayList<>(batch);
                batch.clear();
                append(lane, taken);
            }
        }
        bytes = 0;
    }

    private void append(Lane lane, List<Pending> taken) {
        RecordBatchBuilder b = MessageRecords.newBatch(taken.stream().map(Pending::message).toList());
        for (Pending p : taken) {
            MessageRecords.append(b, p.message());
        }
        PendingAppend append;
        try {
            append = lane.log.append(b.buildChecked());
        } catch (StorageException e) {
            for (Pending p : taken) {
                lane.readyCount--;
                lane.readyBytes -= p.message().bodySize();
                p.message().release();
                p.stored().completeExceptionally(e);
            }
            return;
        }
        long offset = append.baseOffset();
        for (Pending p : taken) {
            lane.appended(offset++, p.message());
        }
        for (Pending p : taken) {
            if (!(durable && p.message().persistent())) {
                p.stored().complete(true);
            }
        }
        long base = append.baseOffset();
        append.future().whenComplete((r, e) -> {
            if (e == null) {
                for (Pending p : taken) {
                    p.stored().complete(true);
                }
                owner.execute(() -> {
                    long at = base;
                    for (Pending p : taken) {
                        Message m = p.message();
                        if (m.bodyIsBorrowed()) {
                            lane.keepOnHeap(at, m);
                            m.release();
                        }
                        at++;
                    }
                    // Messages neither cached nor yet written become deliverable now.
                    appended.run();
                });
            } else {
                for (Pending p : taken) {
                    p.stored().completeExceptionally(e);
                }
                owner.execute(() -> {
                    long at = base;
                    for (Pending p : taken) {
                        lane.appendFailed(at++, p.message().bodySize());
                        p.message().release();
                    }
                });
            }
        });
    }

    /**
     * Takes back the oldest waiting message of the highest lane that has one (drop-head), with its
     * reference to a borrowed body; null if none waits.
     */
    Pending removeOldest() {
        for (int p = lanes.length - 1; p >= 0; p--) {
            List<Pending> waiting = pending.get(p);
            if (!waiting.isEmpty()) {
                Pending first = waiting.remove(0);
                lanes[p].readyCount--;
                lanes[p].readyBytes -= first.message().bodySize();
                bytes -= first.message().bodySize();
                return first;
            }
        }
        return null;
    }

    /** The queue is gone, and the waiting messages with it: their publishes are done, not failed. */
    void dropAll() {
        for (List<Pending> p : pending) {
            p.forEach(e -> {
                e.message().release();
                e.stored().complete(true);
            });
            p.clear();
        }
        bytes = 0;
    }
}
