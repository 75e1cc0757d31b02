package io.wharf.storage.record;

/** Whether record timestamps were set by the producer or by the broker when it appended the batch. */
public enum TimestampType {
    CREATE_TIME, LOG_APPEND_TIME
}
