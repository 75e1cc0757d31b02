package io.wharf.core.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Starts an asynchronous command and passes its outcome on to a future of the caller's. Stateless. */
final class Relay {

    private Relay() {
    }

    /** Runs {@code command} and completes {@code result} as its future completes, unwrapped; a throw fails it. */
    static <T> void run(Supplier<CompletableFuture<T>> command, CompletableFuture<T> result) {
        try {
            command.get().whenComplete((value, failure) -> {
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        } catch (Throwable failure) {
            // An Error too: a caller waiting on the result must not wait for ever.
            result.completeExceptionally(failure);
        }
    }
}
