package io.wharf.protocol.kafka;

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
 * The Kafka coordinator's consumer groups as the broker's {@link ConsumerGroupDirectory} shows
 * them to operators: state, protocol, generation, and each member with the partitions its
 * group's leader assigned it. Assignments are decoded only for groups of the {@code consumer}
 * protocol type, whose assignment format kafka-clients defines; other groups (Kafka Connect,
 * Streams with its own type) show their members without partitions.
 *
 * <p>Thread-safe: each group is read under its own lock, as the coordinator writes it.
 */
final class GroupDirectoryView implements Supplier<Collection<ConsumerGroupDirectory.Group>> {

    private static final String CONSUMER_PROTOCOL_TYPE = "consumer";

    private final ConsumerGroups groups;

    GroupDirectoryView(ConsumerGroups groups) {
        this.groups = groups;
    }

    @Override
    public Collection<ConsumerGroupDirectory.Group> get() {
        List<ConsumerGroupDirectory.Group> out = new ArrayList<>();
        for (ConsumerGroups.Group g : groups.groups()) {
            out.add(view(g));
        }
        return out;
    }

    private static ConsumerGroupDirectory.Group view(ConsumerGroups.Group g) {
        String protocolType;
        String protocol;
        String state;
        int generation;
        List<ConsumerGroups.Member> members;
        Map<String, byte[]> assignments = new TreeMap<>();
        synchronized (g) {
            protocolType = g.protocolType == null ? "" : g.protocolType;
            protocol = g.protocol == null ? "" : g.protocol;
            state = g.state.kafkaName();
            generation = g.generation;
            members = new ArrayList<>(g.members.values());
            members.forEach(m -> assignments.put(m.memberId, m.assignment));
        }
        // Decoded outside the lock: the coordinator replaces a member's assignment, never changes its bytes.
        List<ConsumerGroupDirectory.Member> shown = new ArrayList<>(members.size());
        for (ConsumerGroups.Member m : members) {
            Map<String, List<Integer>> assignment = CONSUMER_PROTOCOL_TYPE.equals(protocolType)
                    ? decode(assignments.get(m.memberId)) : Map.of();
            shown.add(new ConsumerGroupDirectory.Member(m.memberId, m.clientId, m.clientHost, assignment));
        }
        return new ConsumerGroupDirectory.Group(g.id, state, protocolType, protocol, generation, shown);
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
