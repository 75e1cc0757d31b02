package io.wharf.core.message;

import java.nio.ByteBuffer;

/**
 * A message body left in the buffer it arrived in (a network buffer), shared by reference
 * count, so that it reaches the log without being copied into a message of its own first.
 *
 * <p>Whoever holds a {@link Message} with a borrowed body holds one reference and gives it back
 * once with {@link #release()}; the bytes may be reused at once after the last release, so
 * nothing reads them without a reference. {@link #retain()} and {@link #release()} may be called
 * from any thread.
 */
public interface BorrowedBody {

    /** The body's bytes, read-only; valid while the caller holds a reference. */
    ByteBuffer view();

    int size();

    /** Takes one more reference, for a holder that keeps the body past its giver's release. */
    void retain();

    /** Gives one reference back. */
    void release();
}
