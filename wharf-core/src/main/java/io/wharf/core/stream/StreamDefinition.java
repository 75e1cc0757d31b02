package io.wharf.core.stream;

import java.util.Map;
import java.util.Objects;

/**
 * A stream as it is declared and kept in the metadata store.
 *
 * @param name       the stream's name (a Kafka topic name, or an AMQP stream queue's name)
 * @param partitions how many partitions it has, at least one
 * @param configs    per-stream settings in Kafka's names ({@code retention.ms}, {@code retention.bytes},
 *                   {@code segment.bytes}); absent keys take the broker's defaults
 */
public record StreamDefinition(String name, int partitions, Map<String, String> configs) {

    public StreamDefinition {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("a stream needs at least one partition, got " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    public StreamDefinition withPartitions(int count) {
        return new StreamDefinition(name, count, configs);
    }
}
