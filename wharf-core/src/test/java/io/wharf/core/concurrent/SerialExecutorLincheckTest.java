package io.wharf.core.concurrent;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Lincheck explores the interleavings of threads handing tasks to one {@link SerialExecutor},
 * with {@code execute} and with {@code submitHereIfIdle}: every task runs exactly once, and never
 * two at once. The pool runs a run on the thread that starts it, so every thread involved is one
 * Lincheck controls; the tasks touch plain fields that only the executor's exclusion guards.
 */
@Param(name = "task", gen = IntGen.class, conf = "1:9")
public class SerialExecutorLincheckTest {

    private final SerialExecutor executor = new SerialExecutor("lincheck", Runnable::run, null);
    private final ConcurrentLinkedQueue<Integer> submitted = new ConcurrentLinkedQueue<>();
    // Guarded only by the executor.
    private final List<Integer> ran = new ArrayList<>();
    private int running;
    private boolean overlapped;

    @Operation
    public void execute(@Param(name = "task") int task) {
        submitted.add(task);
        executor.execute(() -> run(task));
    }

    @Operation
    public void submitHereIfIdle(@Param(name = "task") int task) {
        submitted.add(task);
        executor.submitHereIfIdle(() -> {
            run(task);
            return CompletableFuture.completedFuture(null);
        });
    }

    private void run(@Param(name = "task") int task) {
        if (running++ > 0) {
            overlapped = true;
        }
        ran.add(task);
        running--;
    }

    @Validate
    public void everyTaskRanOnceAndAlone() {
        if (overlapped) {
            throw new IllegalStateException("two tasks ran at once");
        }
        List<Integer> expected = new ArrayList<>(submitted);
        List<Integer> actual = new ArrayList<>(ran);
        expected.sort(null);
        actual.sort(null);
        if (!expected.equals(actual)) {
            throw new IllegalStateException("submitted " + expected + " but ran " + actual);
        }
    }

    @Test
    void shouldRunEveryTaskOnceAndNeverTwoAtOnce() {
        new ModelCheckingOptions().iterations(5).invocationsPerIteration(400).check(getClass());
    }
}
