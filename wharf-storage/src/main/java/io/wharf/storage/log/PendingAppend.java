package io.wharf.storage.log;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * An append the log has accepted and ordered: its offsets are final from the moment
 * {@link Log#append} returns, and {@link #future()} completes once the batch is durable under
 * the log's fsync policy, or fails if it never will be.
 *
 * <p>The future completes on a storage thread: dependent stages must not block.
 */
public final class PendingAppend {

    /** The batch's bytes, in the parts it was built in; read by the writer only. */
    final ByteBuffer[] parts;
    final int size;
    final long maxTimestamp;
    private final long baseOffset;
    private final long lastOffset;
    private final CompletableFuture<AppendResult> future = new CompletableFuture<>();

    PendingAppend(ByteBuffer[] parts, int size, long baseOffset, long lastOffset, long maxTimestamp) {
        this.parts = parts;
        this.size = size;
        this.baseOffset = baseOffset;
        this.lastOffset = lastOffset;
        this.maxTimestamp = maxTimestamp;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long lastOffset() {
        return lastOffset;
    }

    public CompletableFuture<AppendResult> future() {
        return future;
    }

    void complete() {
        future.complete(new AppendResult(baseOffset, lastOffset, size));
    }

    void fail(Throwable cause) {
        future.completeExceptionally(cause);
    }
}
