package io.wharf.protocol.common;


import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Work for one connection's event loop from other threads (deliveries from queues, completions
 * from storage). Tasks gather here and the event loop runs them in batches, with the
 * connection's own code around each batch (typically one flush after it): a burst of deliveries
 * costs one wake-up and one write to the socket, not one per message.
 *
 * <p>Thread-safe; the tasks and the code around them run on the event loop.
 */
public final class LoopInbox {

    private final Executor loop;
    private final int maxBatch;
    private final Consumer<Runnable> aroundBatch;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * @param loop        runs tasks on the connection's event loop, one at a time (a Netty event loop)
     * @param maxBatch    tasks run in one batch at most, before other connections on the loop get their turn
     * @param aroundBatch given the batch to run, runs it with whatever goes before and after
     */
    public LoopInbox(Executor loop, int maxBatch, Consumer<Runnable> aroundBatch) {
        this.loop = loop;
        this.maxBatch = maxBatch;
        this.aroundBatch = aroundBatch;
    }

    /** An inbox that runs {@code afterBatch} after each batch of at most 256 tasks. */
    public LoopInbox(Executor loop, Runnable afterBatch) {
        this(loop, 256, batch -> {
            batch.run();
            afterBatch.run();
        });
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
        aroundBatch.accept(this::runBatch);
    }

    private void runBatch() {
        Runnable t;
        int n = 0;
        while ((t = tasks.poll()) != null) {
            t.run();
            if (++n == maxBatch && !tasks.isEmpty()) {
                if (scheduled.compareAndSet(false, true)) {
                    loop.execute(this::drain);
                }
                break;
            }
        }
    }
}
