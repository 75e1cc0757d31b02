package io.wharf.protocol.kafka;

import io.wharf.core.Broker;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.NodeRegistration;
import io.wharf.core.cluster.PartitionPlacement;
import io.wharf.core.stream.StreamPartition;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The brokers Kafka clients are told about, and which of them leads each partition. A single node
 * is broker 0 and leads everything. A cluster node names every node that registered a Kafka
 * listener, by the number the cluster gave it, and a partition's leader is the leader of the data
 * group the partition is placed on, with the group's Raft term as the leader epoch.
 *
 * <p>Thread-safe: read from event loops; the bound address is set once, before clients connect.
 */
final class KafkaNodes {

    private static final int SINGLE_NODE_ID = 0;

    /** One broker as Kafka clients are told about it. */
    record Node(int id, String host, int port) {
    }

    /**
     * A partition's leadership as Kafka clients are told about it.
     *
     * @param leader   the leading broker's number; -1 while there is none, or it has not registered yet
     * @param epoch    the leader epoch
     * @param replicas the brokers holding the partition
     * @param inSync   those of them that are caught up
     */
    record Leadership(int leader, int epoch, List<Integer> replicas, List<Integer> inSync) {
    }

    private final Broker broker;
    private final KafkaSettings settings;
    private volatile String advertisedHost;
    private volatile int advertisedPort;

    KafkaNodes(Broker broker, KafkaSettings settings) {
        this.broker = broker;
        this.settings = settings;
    }

    void bound(InetSocketAddress address) {
        advertisedHost = settings.advertisedHost().isEmpty()
                ? (address.getAddress().isAnyLocalAddress() ? "localhost" : address.getHostString())
                : settings.advertisedHost();
        advertisedPort = settings.advertisedPort() == 0 ? address.getPort() : settings.advertisedPort();
    }

    String advertisedHost() {
        return advertisedHost;
    }

    int advertisedPort() {
        return advertisedPort;
    }

    /** This node's broker number; -1 for a cluster node that has not registered yet. */
    int self() {
        Cluster c = broker.cluster().orElse(null);
        return c == null ? SINGLE_NODE_ID : id(c.nodeId());
    }

    private int id(String nodeId) {
        OptionalInt id = broker.clusterNodes().brokerId(nodeId);
        return id.isPresent() ? id.getAsInt() : -1;
    }

    /** Every broker clients may connect to: this node, and each other node that registered a Kafka listener. */
    List<Node> all() {
        Cluster c = broker.cluster().orElse(null);
        if (c == null) {
            return List.of(new Node(SINGLE_NODE_ID, advertisedHost, advertisedPort));
        }
        List<Node> out = new ArrayList<>();
        for (Map.Entry<String, NodeRegistration> e : broker.clusterNodes().all().entrySet()) {
            int id = id(e.getKey());
            if (id < 0) {
                continue;
            }
            if (e.getKey().equals(c.nodeId())) {
                out.add(new Node(id, advertisedHost, advertisedPort));
            } else if (e.getValue().listeners().get("kafka") instanceof Integer port) {
                out.add(new Node(id, e.getValue().host(), port));
            }
        }
        out.sort(java.util.Comparator.comparingInt(Node::id));
        return out;
    }

    /** On how many nodes each partition is kept: 1 on a single node, the cluster's replication factor otherwise. */
    int replicationFactor() {
        Cluster c = broker.cluster().orElse(null);
        return c == null ? 1 : Math.max(1, c.placement("").replicas().size());
    }

    /** A broker by number, if clients can reach it. */
    Optional<Node> node(int id) {
        return all().stream().filter(n -> n.id() == id).findFirst();
    }

    /** Whether this node leads {@code p} now, and so takes its records. */
    boolean leadsHere(StreamPartition p) {
        Cluster c = broker.cluster().orElse(null);
        return c == null || c.leads(p.address().placementKey());
    }

    /** Who leads {@code p} now. */
    Leadership leadership(StreamPartition p) {
        return leadership(p.address().placementKey());
    }

    /** Who leads what a cluster places by {@code placementKey} (a partition, a consumer group's offsets). */
    Leadership leadership(String placementKey) {
        Cluster c = broker.cluster().orElse(null);
        if (c == null) {
            return new Leadership(SINGLE_NODE_ID, 0, List.of(SINGLE_NODE_ID), List.of(SINGLE_NODE_ID));
        }
        PartitionPlacement placement = c.placement(placementKey);
        int leader = placement.leader().map(this::id).orElse(-1);
        return new Leadership(leader, (int) Math.min(Integer.MAX_VALUE, placement.term()), ids(placement.replicas()),
                ids(placement.inSync()));
    }

    private List<Integer> ids(List<String> nodeIds) {
        List<Integer> out = new ArrayList<>();
        for (String n : nodeIds) {
            int id = id(n);
            if (id >= 0) {
                out.add(id);
            }
        }
        return out;
    }
}
