package io.wharf.core.stream;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A stream as it is declared and kept in the metadata store.
 *
 * @param name       the stream's name (a Kafka topic name, or an AMQP stream queue's name)
 * @param partitions how many partitions it has, at least one
 * @param configs    per-stream settings in Kafka's names ({@code retention.ms}, {@code retention.bytes},
 *                   {@code segment.bytes}); absent keys take the broker's defaults
 * @param id         the stream's identity (a Kafka topic id): fixed for its life, and different for a
 *                   stream created again under the same name, so clients can tell the two apart
 */
public record StreamDefinition(String name, int partitions, Map<String, String> configs, UUID id) {

    /** The most partitions a stream may have: each is a log with files of its own. */
    public static final int MAX_PARTITIONS = 10_000;

    public StreamDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("a stream has 1 to " + MAX_PARTITIONS + " partitions, not " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    /** A new stream's definition, with an id of its own. */
    public StreamDefinition(String name, int partitions, Map<String, String> configs) {
        this(name, partitions, configs, UUID.randomUUID());
    }

    public StreamDefinition withPartitions(int count) {
        return new StreamDefinition(name, count, configs, id);
    }

    public StreamDefinition withConfigs(Map<String, String> newConfigs) {
        return new StreamDefinition(name, partitions, newConfigs, id);
    }
}
