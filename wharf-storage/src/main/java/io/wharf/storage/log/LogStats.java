package io.wharf.storage.log;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a log's writer has done since it was opened. Group commit shows as many more batches
 * than fsyncs.
 */
public final class LogStats {

    private final LongAdder batches = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder fsyncs = new LongAdder();
    private final LongAdder rolls = new LongAdder();

    /** Batches written. */
    public long batches() {
        return batches.sum();
    }

    /** Gathering writes issued. */
    public long writes() {
        return writes.sum();
    }

    /** Forces of a segment file to disk. */
    public long fsyncs() {
        return fsyncs.sum();
    }

    /** New segments started. */
    public long rolls() {
        return rolls.sum();
    }

    void batchesWritten(int n) {
        batches.add(n);
    }

    void write() {
        writes.increment();
    }

    void fsync() {
        fsyncs.increment();
    }

    void roll() {
        rolls.increment();
    }
}
