package io.wharf.protocol.common;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Lincheck explores the interleavings of threads submitting to one {@link LoopInbox} while its
 * event loop takes turns: every task runs exactly once, on the loop, and the code after a batch
 * (a connection's flush) runs after the last task that ran. The loop is a queue of runnables that
 * only the {@code loopTurn} operation runs, never in parallel with itself, as one event-loop
 * thread would; batches hold two tasks so that a batch that leaves work behind is explored too.
 */
@Param(name = "task", gen = IntGen.class, conf = "1:9")
public class LoopInboxLincheckTest {

    private final ConcurrentLinkedQueue<Runnable> loop = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Integer> submitted = new ConcurrentLinkedQueue<>();
    // Touched on the loop only.
    private final List<Integer> ran = new ArrayList<>();
    private int flushedUpTo;
    private final LoopInbox inbox = new LoopInbox(loop::add, 2, batch -> {
        batch.run();
        flushedUpTo = ran.size();
    });

    @Operation
    public void submit(@Param(name = "task") int task) {
        submitted.add(task);
        inbox.submit(() -> ran.add(task));
    }

    @Operation(nonParallelGroup = "loop")
    public void loopTurn() {
        Runnable r = loop.poll();
        if (r != null) {
            r.run();
        }
    }

    @Validate
    public void everyTaskRanOnceAndWasFlushed() {
        // The loop runs what is still waiting for it, as it would.
        for (Runnable r; (r = loop.poll()) != null; ) {
            r.run();
        }
        List<Integer> expected = new ArrayList<>(submitted);
        List<Integer> actual = new ArrayList<>(ran);
        expected.sort(null);
        actual.sort(null);
        if (!expected.equals(actual)) {
            throw new IllegalStateException("submitted " + expected + " but ran " + actual);
        }
        if (flushedUpTo != ran.size()) {
            throw new IllegalStateException(ran.size() - flushedUpTo + " task(s) ran after the last flush");
        }
    }

    @Test
    void shouldRunEveryTaskOnceOnTheLoopAndFlushAfterTheLast() {
        new ModelCheckingOptions().iterations(5).invocationsPerIteration(400).check(getClass());
    }
}
