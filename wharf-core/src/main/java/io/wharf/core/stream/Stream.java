package io.wharf.core.stream;

import io.wharf.storage.log.LogConfig;
import io.wharf.storage.log.LogManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A replayable, partitioned stream: one log per partition, read by offset, never consumed away;
 * retention by size and age trims it. Kafka topics are streams, and AMQP reads them as stream queues.
 *
 * <p>Threading: its definition changes (partitions added, settings, deletion) only as commands of
 * its virtual host's admin sequence, one at a time; what they change is published through
 * volatile fields, so readers on any thread see a whole definition.
 */
public final class Stream {

    private volatile StreamDefinition definition;
    private final String vhost;
    private final StreamReplication replication;
    private final String logPrefix;
    private final LogManager logs;
    private final LogConfig defaults;
    private final Executor pool;
    private volatile LogConfig logConfig;
    private volatile List<StreamPartition> partitions;

    private Stream(String vhost, StreamDefinition definition, LogManager logs, LogConfig defaults, Executor pool,
                   StreamReplication replication) {
        this.vhost = vhost;
        this.replication = replication;
        this.definition = definition;
        this.logPrefix = "stream/" + vhost + "/" + definition.name() + "/";
        this.pool = pool;
        this.logs = logs;
        this.defaults = defaults;
        this.logConfig = configure(defaults, definition.configs());
        this.partitions = List.of();
    }

    /**
     * Opens (or creates) every partition's log.
     *
     * @param vhost    the virtual host, part of the log names
     * @param defaults configuration of stream logs before the stream's own settings
     * @param pool     runs the partitions' owners
     * @param replication where the partitions make their changes
     * @throws IllegalArgumentException if a setting of the stream is not a valid number
     */
    public static Stream open(String vhost, StreamDefinition d, LogManager logs, LogConfig defaults, Executor pool,
                              StreamReplication replication) {
        Stream s = new Stream(vhost, d, logs, defaults, pool, replication);
        s.growTo(d.partitions());
        return s;
    }

    static LogConfig configure(LogConfig c, Map<String, String> configs) {
        String v;
        if ((v = configs.get(StreamConfigs.RETENTION_MS)) != null) {
            c = c.withRetentionMs(Long.parseLong(v));
        }
        if ((v = configs.get(StreamConfigs.RETENTION_BYTES)) != null) {
            c = c.withRetentionBytes(Long.parseLong(v));
        }
        if ((v = configs.get(StreamConfigs.SEGMENT_BYTES)) != null) {
            c = c.withSegmentBytes(Integer.parseInt(v));
        }
        if (!StreamConfigs.deletesOldRecords(configs)) {
            // Compaction alone: every record is kept (see StreamConfigs).
            c = c.withRetentionMs(-1).withRetentionBytes(-1);
        }
        return c;
    }

    private void growTo(int count) {
        List<StreamPartition> ps = new ArrayList<>(partitions);
        for (int i = ps.size(); i < count; i++) {
            ps.add(new StreamPartition(new PartitionAddress(vhost, definition.name(), definition.id(), i),
                    logs.open(logPrefix + i, logConfig), pool, replication));
        }
        partitions = List.copyOf(ps);
    }

    public String name() {
        return definition.name();
    }

    public StreamDefinition definition() {
        return definition;
    }

    public int partitionCount() {
        return partitions.size();
    }

    /** The partition, or null if there is no such one. */
    public StreamPartition partition(int index) {
        List<StreamPartition> ps = partitions;
        return index >= 0 && index < ps.size() ? ps.get(index) : null;
    }

    public List<StreamPartition> partitions() {
        return partitions;
    }

    /** Adds partitions up to {@code count}; existing ones keep their data. The virtual host persists the new definition. */
    public void addPartitions(int count) {
        definition = definition.withPartitions(count);
        growTo(count);
    }

    /**
     * Replaces the stream's own settings; keys left out fall back to the broker's defaults. The
     * virtual host persists the new definition.
     *
     * @throws IllegalArgumentException if a setting is not a valid number
     */
    public void reconfigure(Map<String, String> configs) {
        LogConfig c = configure(defaults, configs);
        definition = definition.withConfigs(configs);
        logConfig = c;
        for (StreamPartition p : partitions) {
            p.log().reconfigure(c.retentionMs(), c.retentionBytes(), c.segmentBytes());
        }
    }

    /**
     * Checks settings {@link #reconfigure} would be given, changing nothing.
     *
     * @throws IllegalArgumentException if a setting is not a valid number
     */
    public void checkConfigs(Map<String, String> configs) {
        configure(defaults, configs);
    }

    /** The value in force for a setting: the stream's own, or the broker's default. */
    public String effectiveConfig(String key) {
        String own = definition.configs().get(key);
        if (own != null) {
            return own;
        }
        LogConfig c = logConfig;
        return switch (key) {
            case StreamConfigs.RETENTION_MS -> Long.toString(c.retentionMs());
            case StreamConfigs.RETENTION_BYTES -> Long.toString(c.retentionBytes());
            case StreamConfigs.SEGMENT_BYTES -> Integer.toString(c.segmentBytes());
            default -> StreamConfigs.defaultValue(key);
        };
    }

    /** Deletes every partition's log and its data. */
    public void delete() throws IOException {
        for (StreamPartition p : partitions) {
            logs.delete(p.log().name());
        }
        partitions = List.of();
    }
}
