package io.wharf.core.stream;

import io.wharf.storage.record.CheckedBatch;
import io.wharf.storage.record.RecordBatchBuilder;

import java.nio.ByteBuffer;

/**
 * The control batches that end a transaction in a partition's log, in Kafka's format: a key of
 * version and type (abort 0, commit 1) and a value of version and coordinator epoch, so Kafka
 * consumers recognise and skip them.
 */
final class TransactionMarkers {

    static final short ABORT = 0;
    static final short COMMIT = 1;

    private TransactionMarkers() {
    }

    static CheckedBatch marker(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch, long timestamp) {
        ByteBuffer key = ByteBuffer.allocate(4).putShort((short) 0).putShort(commit ? COMMIT : ABORT).flip();
        ByteBuffer value = ByteBuffer.allocate(6).putShort((short) 0).putInt(coordinatorEpoch).flip();
        return new RecordBatchBuilder(128)
                .producer(producerId, producerEpoch, -1)
                .transactional(true)
                .control(true)
                .append(timestamp, key, value, java.util.List.of())
                .buildChecked();
    }
}
