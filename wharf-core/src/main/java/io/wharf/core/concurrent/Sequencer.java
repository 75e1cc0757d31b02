package io.wharf.core.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs asynchronous commands strictly one after another: each starts once the future of the one
 * before it has completed, however it completed, so a command sees every earlier command's
 * effects, including the writes it waited for. Definitions (a virtual host's topology, the users)
 * change this way.
 *
 * <p>Thread-safe without locks: commands may be submitted from any thread; they run on the
 * executor given. A command must not wait for a later one (it would wait for itself).
 */
public final class Sequencer {

    private final Executor executor;
    private final AtomicReference<CompletableFuture<?>> tail = new AtomicReference<>(CompletableFuture.completedFuture(null));

    public Sequencer(Executor executor) {
        this.executor = executor;
    }

    /** Runs {@code command} after every command submitted before it; completes as its future does. */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<?> previous = tail.getAndSet(result.handle((v, e) -> null));
        previous.whenCompleteAsync((v, e) -> Relay.run(command, result), executor).exceptionally(refused -> {
            // The executor is shut down: the command will not run.
            result.completeExceptionally(refused);
            return null;
        });
        return result;
    }
}
