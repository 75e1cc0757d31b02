package io.wharf.core.stream;

import io.wharf.core.Registration;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The live membership of a virtual host's consumer groups, as the protocol that coordinates them
 * (Kafka's group protocol) reports it. Committed offsets are in {@link GroupOffsets}; this is who
 * is consuming now and which partitions each member was given.
 *
 * <p>Thread-safe.
 */
public final class ConsumerGroupDirectory {

    /** One group as its coordinator sees it. */
    public record Group(String id, String state, String protocolType, String protocol, int generation,
                        List<Member> members) {
        public Group {
            members = List.copyOf(members);
        }
    }

    /** A member and the partitions of each stream assigned to it. */
    public record Member(String memberId, String clientId, String clientHost, Map<String, List<Integer>> assignment) {
        public Member {
            assignment = Map.copyOf(assignment);
        }
    }

    private final List<Supplier<Collection<Group>>> sources = new CopyOnWriteArrayList<>();

    /** Adds a coordinator's view; the returned handle removes it when the coordinator stops. */
    public Registration register(Supplier<Collection<Group>> source) {
        sources.add(source);
        return () -> sources.remove(source);
    }

    public List<Group> groups() {
        List<Group> out = new ArrayList<>();
        sources.forEach(s -> out.addAll(s.get()));
        return out;
    }
}
