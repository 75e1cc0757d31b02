package io.wharf.core.stream;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The per-stream settings a stream accepts, under Kafka's topic configuration names.
 *
 * <p>{@code cleanup.policy} may name {@code compact} (as Kafka Streams' changelog topics do).
 * Wharf has no log cleaner: a compacted stream keeps every record, which still gives what
 * compaction promises (at least the latest record of every key stays), only in more space. A
 * stream whose policy is {@code compact} alone therefore deletes nothing by age or size, as in
 * Kafka; {@code compact,delete} applies retention as {@code delete} does.
 */
public final class StreamConfigs {

    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";

    /** Every setting a stream keeps; others are refused when a stream is created or altered. */
    public static final Set<String> SUPPORTED = Set.of(RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES, CLEANUP_POLICY,
            MESSAGE_TIMESTAMP_TYPE);

    /** The settings whose values are whole numbers. */
    public static final Set<String> NUMERIC = Set.of(RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES);

    private static final Map<String, String> DEFAULTS = Map.of(CLEANUP_POLICY, "delete", MESSAGE_TIMESTAMP_TYPE, "CreateTime");

    private StreamConfigs() {
    }

    /** The value of a setting that is not a number when a stream does not set it, or null for the numeric ones. */
    public static String defaultValue(String key) {
        return DEFAULTS.get(key);
    }

    /** Whether a stream with these settings deletes old records by age and size ({@code cleanup.policy} names {@code delete}). */
    public static boolean deletesOldRecords(Map<String, String> configs) {
        return items(configs.getOrDefault(CLEANUP_POLICY, DEFAULTS.get(CLEANUP_POLICY))).contains("delete");
    }

    /** The items of a list setting's value (such as {@code cleanup.policy}), in order, trimmed, blanks left out. */
    public static Set<String> items(String list) {
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(list.split(",")).map(String::trim).filter(v -> !v.isEmpty()).forEach(out::add);
        return out;
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
        if (key.equals(CLEANUP_POLICY)) {
            Set<String> p = items(value);
            return !p.isEmpty() && Set.of("delete", "compact").containsAll(p) ? null
                    : "cleanup.policy is delete, compact or both, separated by a comma; got '" + value + "'";
        }
        if (key.equals(MESSAGE_TIMESTAMP_TYPE)) {
            if (value.equals("CreateTime")) {
                return null;
            }
            return value.equals("LogAppendTime")
                    ? "message.timestamp.type LogAppendTime is not supported: Wharf keeps the producer's timestamps (CreateTime)"
                    : "message.timestamp.type is CreateTime or LogAppendTime; got '" + value + "'";
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
