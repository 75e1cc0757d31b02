package io.wharf.protocol.kafka;

import io.wharf.core.auth.Client;
import io.wharf.core.auth.Permission.Access;
import io.wharf.core.stream.Stream;
import io.wharf.core.vhost.VirtualHost;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Which stream a Kafka request touches, and with what access, in the permission model every
 * protocol shares: a topic is the stream of the same name, checked against the user's
 * {@code write} pattern to produce, {@code read} to fetch, list offsets and commit or fetch group
 * offsets, and {@code configure} to create, delete, grow, truncate or reconfigure it.
 *
 * <p>Kafka checks each topic of a request on its own; here a request naming any topic the user
 * may not use is refused as a whole with TOPIC_AUTHORIZATION_FAILED, which kafka-clients raise as
 * {@code TopicAuthorizationException}. Metadata is not checked here: it lists only the topics a
 * user may use at all (see {@link #visible}).
 *
 * <p>Stateless; called on the connection's event loop.
 */
final class TopicAccess {

    /** One topic a request touches and the access it needs. */
    record Need(String topic, Access access) {
    }

    private final VirtualHost vhost;

    TopicAccess(VirtualHost vhost) {
        this.vhost = vhost;
    }

    /** The first topic of {@code request} that {@code client} may not use as the request wants, if any. */
    Optional<Need> refused(AbstractRequest request, Client client) {
        for (Need n : needs(request)) {
            if (!client.allows(vhost.name(), n.access(), n.topic())) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** Whether Metadata may list {@code topic} to {@code client}: any of the three accesses will do. */
    boolean visible(String topic, Client client) {
        for (Access a : Access.values()) {
            if (client.allows(vhost.name(), a, topic)) {
                return true;
            }
        }
        return false;
    }

    private List<Need> needs(AbstractRequest request) {
        List<Need> out = new ArrayList<>();
        switch (request) {
            case ProduceRequest r -> r.data().topicData().forEach(t -> add(out, t.name(), t.topicId(), Access.WRITE));
            case FetchRequest r -> r.data().topics().forEach(t -> add(out, t.topic(), t.topicId(), Access.READ));
            case ListOffsetsRequest r -> r.topics().forEach(t -> add(out, t.name(), null, Access.READ));
            case OffsetCommitRequest r -> r.data().topics().forEach(t -> add(out, t.name(), t.topicId(), Access.READ));
            case OffsetFetchRequest r -> r.groups().forEach(g -> {
                if (g.topics() != null) {
                    g.topics().forEach(t -> add(out, t.name(), t.topicId(), Access.READ));
                }
            });
            case TxnOffsetCommitRequest r -> r.data().topics().forEach(t -> add(out, t.name(), null, Access.READ));
            case AddPartitionsToTxnRequest r -> r.partitionsByTransaction().values()
                    .forEach(ps -> ps.stream().map(TopicPartition::topic).forEach(t -> add(out, t, null, Access.WRITE)));
            case CreateTopicsRequest r -> r.data().topics().forEach(t -> add(out, t.name(), null, Access.CONFIGURE));
            case DeleteTopicsRequest r -> r.topics().forEach(t -> add(out, t.name(), t.topicId(), Access.CONFIGURE));
            case CreatePartitionsRequest r -> r.data().topics().forEach(t -> add(out, t.name(), null, Access.CONFIGURE));
            case DeleteRecordsRequest r -> r.data().topics().forEach(t -> add(out, t.name(), null, Access.CONFIGURE));
            case DescribeConfigsRequest r -> r.data().resources().forEach(c -> addTopic(out, c.resourceType(), c.resourceName(), Access.READ));
            case AlterConfigsRequest r -> r.data().resources().forEach(c -> addTopic(out, c.resourceType(), c.resourceName(), Access.CONFIGURE));
            case IncrementalAlterConfigsRequest r -> r.data().resources()
                    .forEach(c -> addTopic(out, c.resourceType(), c.resourceName(), Access.CONFIGURE));
            default -> {
                // Every other request names no topic: group membership, transactions' state, the cluster.
            }
        }
        return out;
    }

    private static void addTopic(List<Need> out, byte resourceType, String name, Access access) {
        if (resourceType == ConfigResource.Type.TOPIC.id()) {
            out.add(new Need(name, access));
        }
    }

    /** A topic by name, or by id from the versions that send ids only (an unknown id needs no check: it is not found). */
    private void add(List<Need> out, String name, Uuid id, Access access) {
        if (id != null && !Uuid.ZERO_UUID.equals(id)) {
            Stream s = vhost.stream(new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()));
            if (s != null) {
                out.add(new Need(s.name(), access));
            }
        } else if (name != null && !name.isEmpty()) {
            out.add(new Need(name, access));
        }
    }
}
