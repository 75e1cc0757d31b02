package io.wharf.core.concurrent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the mailbox that gives each
 * queue a single owner thread at any moment without a thread of its own. After each run of
 * tasks it calls an optional hook, where an owner can flush work it gathered during the run (a
 * queue appends the messages of the whole run as one batch).
 *
 * <p>A task that throws is logged and does not stop the ones after it.
 */
public final class SerialExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int MAX_RUN = 512;

    private final String name;
    private final Executor pool;
    private final Runnable afterRun;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Thread owner;

    public SerialExecutor(String name, Executor pool, Runnable afterRun) {
        this.name = name;
        this.pool = pool;
        this.afterRun = afterRun;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /**
     * Runs an asynchronous command in turn with this executor's other tasks; completes as the
     * command's future does (a failure it throws fails it too). The command's continuations are
     * its own affair: to change the owner's state again they run on this executor.
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> Relay.run(command, result));
        return result;
    }

    /**
     * As {@link #submit}, but when the executor is idle (nothing running, nothing queued) the
     * command runs at once on the calling thread, saving a hand-off to the pool; otherwise it
     * waits its turn on the pool. Either way commands run one at a time in submission order.
     * For short commands that never block, called from threads that may run them (an event loop
     * appending to a log); anything queued behind such a command runs on the pool, never here.
     * The end-of-run hook does not run after a command run here: owners with one use {@link #submit}.
     */
    public <T> CompletableFuture<T> submitHereIfIdle(Supplier<CompletableFuture<T>> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!scheduled.compareAndSet(false, true)) {
            execute(() -> Relay.run(command, result));
            return result;
        }
        if (!tasks.isEmpty()) {
            // Earlier commands are queued: this one goes behind them, and the pool runs them all.
            tasks.add(() -> Relay.run(command, result));
            startRun();
            return result;
        }
        owner = Thread.currentThread();
        try {
            Relay.run(command, result);
        } finally {
            owner = null;
            scheduled.set(false);
        }
        if (!tasks.isEmpty()) {
            schedule();
        }
        return result;
    }

    /** Whether the calling thread is the one running this executor's tasks right now. */
    public boolean inExecutor() {
        return owner == Thread.currentThread();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            startRun();
        }
    }

    /** Hands a run to the pool; the caller holds {@code scheduled}. */
    private void startRun() {
        try {
            pool.execute(this::run);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            LOG.debug("{}: the pool is shut down; {} task(s) dropped", name, tasks.size());
        }
    }

    private void run() {
        owner = Thread.currentThread();
        try {
            for (int i = 0; i < MAX_RUN; i++) {
                Runnable t = tasks.poll();
                if (t == null) {
                    break;
                }
                try {
                    t.run();
                } catch (Throwable e) {
                    LOG.error("{}: a task failed", name, e);
                }
            }
            if (afterRun != null) {
                try {
                    afterRun.run();
                } catch (Throwable e) {
                    LOG.error("{}: the end-of-run step failed", name, e);
                }
            }
        } finally {
            owner = null;
            scheduled.set(false);
        }
        if (!tasks.isEmpty()) {
            schedule();
        }
    }

    @Override
    public String toString() {
        return "SerialExecutor[" + name + "]";
    }
}
