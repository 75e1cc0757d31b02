package io.wharf.core.stream;

import io.wharf.storage.record.CheckedBatch;
import io.wharf.storage.record.RecordBatchBuilder;

import java.nio.charset.StandardCharsets;

/** Record batches as clients send them, for tests of partitions and their commands. */
public final class TestBatches {

    private TestBatches() {
    }

    /**
     * A batch of {@code values}, of idempotent producer {@code producerId} from {@code firstSequence}
     * (of no producer when it is negative), checked once as a client's batch is when it arrives.
     */
    public static CheckedBatch batch(long producerId, int firstSequence, boolean transactional, String... values) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        if (producerId >= 0) {
            b.producer(producerId, (short) 0, firstSequence).transactional(transactional);
        }
        for (String v : values) {
            b.append(1_000L, null, v.getBytes(StandardCharsets.UTF_8));
        }
        return CheckedBatch.check(b.build());
    }
}
