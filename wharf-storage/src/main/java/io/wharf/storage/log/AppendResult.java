package io.wharf.storage.log;

/**
 * A batch that is in the log, durable under the log's fsync policy.
 *
 * @param baseOffset offset of its first record
 * @param lastOffset offset of its last record
 * @param sizeInBytes bytes it occupies in the log
 */
public record AppendResult(long baseOffset, long lastOffset, int sizeInBytes) {
}
