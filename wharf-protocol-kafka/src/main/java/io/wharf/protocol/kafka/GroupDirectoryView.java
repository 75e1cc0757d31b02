package io.wharf.protocol.kafka;

import io.wharf.core.group.GroupCoordinator;
import io.wharf.core.group.GroupView;
import io.wharf.core.stream.ConsumerGroupDirectory;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The virtual host's consumer groups as the broker's {@link ConsumerGroupDirectory} shows
 * them to operators: state, protocol, generation, and each member with the partitions its
 * group's leader assigned it. Assignments are decoded only for groups of the {@code consumer}
 * protocol type, whose assignment format kafka-clients defines; other groups (Kafka Connect,
 * Streams with its own type) show their members without partitions.
 *
 * <p>Thread-safe: it reads the groups as their owner last published them.
 */
final class GroupDirectoryView implements Supplier<Collection<ConsumerGroupDirectory.Group>> {

    private static final String CONSUMER_PROTOCOL_TYPE = "consumer";

    private final GroupCoordinator groups;

    GroupDirectoryView(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public Collection<ConsumerGroupDirectory.Group> get() {
        List<ConsumerGroupDirectory.Group> out = new ArrayList<>();
        for (GroupView g : groups.groups()) {
            out.add(view(g));
        }
        return out;
    }

    private static ConsumerGroupDirectory.Group view(GroupView g) {
        String protocolType = g.protocolType() == null ? "" : g.protocolType();
        List<ConsumerGroupDirectory.Member> shown = new ArrayList<>(g.members().size());
        for (GroupView.Member m : g.members()) {
            Map<String, List<Integer>> assignment = CONSUMER_PROTOCOL_TYPE.equals(protocolType) ? decode(m.assignment()) : Map.of();
            shown.add(new ConsumerGroupDirectory.Member(m.memberId(), m.clientId(), m.clientHost(), assignment));
        }
        return new ConsumerGroupDirectory.Group(g.id(), g.state().displayName(), protocolType, g.protocol() == null ? "" : g.protocol(),
                g.generation(), shown);
    }

    /** The partitions of each topic in a consumer's assignment; empty when there is none or it cannot be read. */
    static Map<String, List<Integer>> decode(byte[] assignment) {
        if (assignment == null || assignment.length == 0) {
            return Map.of();
        }
        try {
            Map<String, List<Integer>> out = new TreeMap<>();
            for (TopicPartition tp : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(assignment)).partitions()) {
                out.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
            }
            out.values().forEach(l -> l.sort(null));
            return out;
        } catch (RuntimeException e) {
            // A client's own bytes: a group whose members encode them differently shows no partitions.
            return Map.of();
        }
    }
}
