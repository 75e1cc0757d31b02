package io.wharf.core.stream;

import java.util.Objects;
import java.util.UUID;

/**
 * Which partition a replicated command is for, the same on every node: the stream's id tells a
 * stream apart from one created again under the same name. Immutable.
 *
 * @param vhost    the virtual host
 * @param stream   the stream's name
 * @param streamId the stream's id (its Kafka topic id)
 * @param index    the partition's index
 */
public record PartitionAddress(String vhost, String stream, UUID streamId, int index) {

    public PartitionAddress {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(streamId, "streamId");
    }

    /** What a cluster places the partition by: its stream's id and its index, nothing that is reused. */
    public String placementKey() {
        return streamId + "/" + index;
    }

    @Override
    public String toString() {
        return vhost + "/" + stream + "-" + index;
    }
}
