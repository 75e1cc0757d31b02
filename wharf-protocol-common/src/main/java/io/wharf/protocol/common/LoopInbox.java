package io.wharf.protocol.common;

import io.netty.util.concurrent.EventExecutor;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Work for one connection's event loop from other threads (deliveries from queues, completions
 * from storage). Tasks gather here and the event loop runs them in batches, then calls the
 * connection's end-of-batch action once (typically a flush): a burst of deliveries costs one
 * wake-up and one write to the socket, not one per message.
 *
 * <p>Thread-safe; the tasks and the end-of-batch action run on the event loop.
 */
public final class LoopInbox {

    /** Tasks run in one batch at most, before other connections on the loop get their turn. */
    private static final int MAX_BATCH = 256;

    private final EventExecutor loop;
    private final Runnable afterBatch;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public LoopInbox(EventExecutor loop, Runnable afterBatch) {
        this.loop = loop;
        this.afterBatch = afterBatch;
    }

    /** Runs {@code task} on the event loop, after what is already queued there. */
    public void submit(Runnable task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        Runnable t;
        int n = 0;
        while ((t = tasks.poll()) != null) {
            t.run();
            if (++n == MAX_BATCH && !tasks.isEmpty()) {
                if (scheduled.compareAndSet(false, true)) {
                    loop.execute(this::drain);
                }
                break;
            }
        }
        afterBatch.run();
    }
}
