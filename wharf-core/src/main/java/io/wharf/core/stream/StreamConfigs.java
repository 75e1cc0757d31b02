package io.wharf.core.stream;

import java.util.Set;

/** The per-stream settings a stream accepts, under Kafka's topic configuration names. */
public final class StreamConfigs {

    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String SEGMENT_BYTES = "segment.bytes";

    /** Every setting a stream keeps; others are refused when a stream is created or altered. */
    public static final Set<String> SUPPORTED = Set.of(RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES);

    private StreamConfigs() {
    }

    /**
     * Checks one setting's value.
     *
     * @return null if it is valid, otherwise why not
     */
    public static String problem(String key, String value) {
        if (!SUPPORTED.contains(key)) {
            return "unknown or unsupported topic configuration '" + key + "'";
        }
        try {
            long v = Long.parseLong(value);
            if (key.equals(SEGMENT_BYTES) && (v < 1024 || v > Integer.MAX_VALUE)) {
                return "segment.bytes must be between 1024 and " + Integer.MAX_VALUE;
            }
            if (v < -1) {
                return key + " must be -1 (no limit) or more";
            }
        } catch (NumberFormatException e) {
            return key + " must be a whole number, got '" + value + "'";
        }
        return null;
    }
}
