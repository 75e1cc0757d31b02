package io.wharf.server.config;

import io.wharf.cluster.ClusterMember;
import io.wharf.core.BrokerSettings;
import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;
import io.wharf.protocol.amqp.AmqpSettings;
import io.wharf.protocol.kafka.KafkaSettings;
import io.wharf.protocol.mqtt.MqttSettings;
import io.wharf.protocol.stomp.StompSettings;
import io.wharf.storage.Storage;
import io.wharf.storage.file.FileChannelFactory;
import io.wharf.storage.log.FsyncPolicy;
import io.wharf.storage.log.LogConfig;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wharf's validated configuration. Built only by {@link ConfigLoader}, which fills every key from
 * the defaults, the configuration file, the environment and explicit overrides, and rejects
 * anything out of range; see docs/configuration.md for each key.
 *
 * @param dataDir where all durable data lives
 * @param storage how logs are written and kept
 * @param queues  how queues use their logs and memory
 * @param amqp    the AMQP 0-9-1 listener
 * @param kafka   the Kafka protocol listener
 * @param mqtt    the MQTT listener
 * @param stomp   the STOMP listener
 * @param http    the HTTP listener
 * @param vhosts  the virtual hosts
 * @param users   who may connect
 * @param streams streams declared in the configuration, made to match it at every start
 * @param cluster the cluster this node is one of, if any
 * @param alarms  when publishers are blocked
 * @param logging log output
 */
public record WharfConfig(Path dataDir, StorageConfig storage, QueuesConfig queues, AmqpConfig amqp, KafkaConfig kafka,
                          MqttConfig mqtt, StompConfig stomp, HttpConfig http, List<String> vhosts, List<UserConfig> users,
                          List<StreamConfig> streams, ClusterConfig cluster, AlarmsConfig alarms, LoggingConfig logging) {

    /**
     * @param fsync                  when appends are forced to disk before they are acknowledged
     * @param writerThreads          threads writing and forcing logs
     * @param segmentSize            size at which a log segment is rolled
     * @param segmentAge             age at which a log segment is rolled
     * @param indexInterval          bytes between sparse index entries
     * @param preallocate            zero-fill segment space ahead of the writer
     * @param retentionCheckInterval how often retention limits are applied
     * @param scrubInterval          time between background checks of every stored byte; zero for none
     * @param scrubRate              how many bytes a second such a check reads
     */
    public record StorageConfig(FsyncPolicy fsync, int writerThreads, ByteSize segmentSize, Duration segmentAge,
                                ByteSize indexInterval, boolean preallocate, Duration retentionCheckInterval,
                                Duration scrubInterval, ByteSize scrubRate) {
    }

    /**
     * @param segmentSize segment size of queue logs
     * @param memoryCache message bytes all queues together keep in memory ahead of delivery
     */
    public record QueuesConfig(ByteSize segmentSize, ByteSize memoryCache) {
    }

    /**
     * @param enabled          whether the AMQP listener runs
     * @param host             interface to listen on
     * @param port             port to listen on; 0 picks a free one
     * @param frameMax         largest frame accepted
     * @param channelMax       most channels per connection
     * @param heartbeat        heartbeat interval offered; zero disables
     * @param maxMessageSize   largest message body accepted
     * @param handshakeTimeout time a client has to open its connection
     */
    public record AmqpConfig(boolean enabled, String host, int port, int frameMax, int channelMax, Duration heartbeat,
                             long maxMessageSize, Duration handshakeTimeout) {
    }

    /**
     * @param enabled           whether the Kafka listener runs
     * @param host              interface to listen on
     * @param port              port to listen on; 0 picks a free one
     * @param advertisedHost    host given to clients in metadata; empty for the bound one
     * @param advertisedPort    port given to clients in metadata; 0 for the bound one
     * @param autoCreateTopics  whether using an unknown topic creates it
     * @param defaultPartitions partitions of a topic created without a count
     * @param maxRequestSize    largest request accepted
     * @param vhost             the virtual host whose streams are Kafka's topics
     * @param anonymousUser     the user Kafka clients act as until they can log in; empty refuses them all
     */
    public record KafkaConfig(boolean enabled, String host, int port, String advertisedHost, int advertisedPort,
                              boolean autoCreateTopics, int defaultPartitions, int maxRequestSize, String vhost,
                              String anonymousUser) {
    }

    /**
     * @param enabled        whether the MQTT listener runs
     * @param host           interface to listen on
     * @param port           port to listen on; 0 picks a free one
     * @param vhost          the virtual host whose {@code amq.topic} exchange carries MQTT topics
     * @param maxPacketSize  largest packet accepted
     * @param anonymousUser  the user a client without a user name acts as; empty refuses such clients
     * @param maxInflight    QoS 1 and 2 deliveries a client may have unacknowledged
     * @param maxBacklog     ready messages a connected subscriber's queue holds before its publishers wait; 0 is no limit
     * @param websocketEnabled whether MQTT over WebSocket is served
     * @param websocketPort  port of MQTT over WebSocket; 0 picks a free one
     */
    public record MqttConfig(boolean enabled, String host, int port, String vhost, int maxPacketSize, String anonymousUser,
                             int maxInflight, int maxBacklog, boolean websocketEnabled, int websocketPort) {
    }

    /**
     * @param enabled          whether the STOMP listener runs
     * @param host             interface to listen on
     * @param port             port to listen on; 0 picks a free one
     * @param defaultVhost     the virtual host of a CONNECT whose host header names none
     * @param maxFrameSize     largest frame body accepted
     * @param heartbeat        the heart-beat period Wharf offers and asks for; zero for none
     * @param anonymousUser    the user a CONNECT without a login acts as; empty refuses such clients
     * @param websocketEnabled whether STOMP over WebSocket is served
     * @param websocketPort    port of STOMP over WebSocket; 0 picks a free one
     */
    public record StompConfig(boolean enabled, String host, int port, String defaultVhost, int maxFrameSize, Duration heartbeat,
                              String anonymousUser, boolean websocketEnabled, int websocketPort) {
    }

    /**
     * @param host interface to listen on
     * @param port port to listen on; 0 picks a free one
     */
    public record HttpConfig(String host, int port) {
    }

    /** A user from the configuration. */
    public record UserConfig(String name, String password, List<String> tags, boolean loopbackOnly,
                             Map<String, PermissionConfig> permissions) {
    }

    /**
     * A stream declared in the configuration.
     *
     * @param vhost      the virtual host it lives in
     * @param name       its name (the Kafka topic name)
     * @param partitions how many partitions it has at least; partitions are added, never removed
     * @param configs    its own settings, under Kafka's topic configuration names; absent keys are left as they are
     * @param delete     whether the stream is to be deleted, with its data, rather than declared
     */
    public record StreamConfig(String vhost, String name, int partitions, Map<String, String> configs, boolean delete) {
    }

    /** A user's permissions in one virtual host, as regular expressions. */
    public record PermissionConfig(String configure, String write, String read) {
    }

    /**
     * @param nodeId            this node's id in {@code members}
     * @param members           every member of the cluster, the same list on every node; empty for a single node
     * @param replicationFactor on how many members each stream partition is kept; 0 for the default
     * @param dataGroups        how many Raft groups stream partitions are spread over; 0 for the default
     */
    public record ClusterConfig(String nodeId, List<ClusterMember> members, int replicationFactor, int dataGroups) {

        public ClusterConfig {
            members = List.copyOf(members);
        }

        /** The replication factor in force: as set, or 3, and never more than the members. */
        public int effectiveReplicationFactor() {
            return Math.min(replicationFactor == 0 ? 3 : replicationFactor, members.size());
        }

        /** The data groups in force: as set, or two for each member. */
        public int effectiveDataGroups() {
            return dataGroups == 0 ? 2 * members.size() : dataGroups;
        }

        /** Whether this node is one of a cluster's, rather than a broker of its own. */
        public boolean enabled() {
            return !members.isEmpty();
        }

        /** This node as {@code members} names it. */
        public ClusterMember self() {
            return members.stream().filter(m -> m.id().equals(nodeId)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no member is node '" + nodeId + "'"));
        }
    }

    /**
     * @param memoryHighWatermark fraction of the heap in use after collection that blocks publishers
     * @param diskFreeLimit       free disk bytes below which publishers are blocked
     */
    public record AlarmsConfig(double memoryHighWatermark, long diskFreeLimit) {
    }

    /** @param level the root log level */
    public record LoggingConfig(String level) {
    }

    /** The storage options this configuration describes. */
    public Storage.Options storageOptions() {
        LogConfig logs = LogConfig.DEFAULT
                .withSegmentBytes((int) storage.segmentSize().bytes())
                .withSegmentMs(storage.segmentAge().toMillis())
                .withIndexIntervalBytes((int) storage.indexInterval().bytes())
                .withFsync(storage.fsync())
                .withPreallocate(storage.preallocate());
        return new Storage.Options(dataDir, storage.writerThreads(), logs, storage.retentionCheckInterval(),
                Clock.systemUTC(), FileChannelFactory.DEFAULT, storage.scrubInterval(), storage.scrubRate().bytes());
    }

    /** What the broker core is started with. */
    public BrokerSettings brokerSettings() {
        List<UserStore.Credentials> credentials = users.stream().map(u -> {
            Map<String, Permission> perms = new LinkedHashMap<>();
            u.permissions().forEach((vhost, p) -> perms.put(vhost, new Permission(p.configure(), p.write(), p.read())));
            return new UserStore.Credentials(new User(u.name(), Set.copyOf(u.tags()), perms, u.loopbackOnly()), u.password());
        }).toList();
        return new BrokerSettings(storageOptions(), vhosts, credentials, (int) queues.segmentSize().bytes(),
                queues.memoryCache().bytes(), alarms.memoryHighWatermark(), alarms.diskFreeLimit());
    }

    /** What the STOMP endpoint is started with. */
    public StompSettings stompSettings() {
        return new StompSettings(stomp.host(), stomp.port(), stomp.defaultVhost(), stomp.maxFrameSize(),
                (int) stomp.heartbeat().toMillis(), stomp.anonymousUser(), stomp.websocketEnabled() ? stomp.websocketPort() : -1);
    }

    /** What the MQTT endpoint is started with. */
    public MqttSettings mqttSettings() {
        return new MqttSettings(mqtt.host(), mqtt.port(), mqtt.vhost(), mqtt.maxPacketSize(), mqtt.anonymousUser(),
                mqtt.maxInflight(), mqtt.maxBacklog(), mqtt.websocketEnabled() ? mqtt.websocketPort() : -1);
    }

    /** What the Kafka endpoint is started with. */
    public KafkaSettings kafkaSettings() {
        return new KafkaSettings(kafka.host(), kafka.port(), kafka.advertisedHost(), kafka.advertisedPort(),
                kafka.autoCreateTopics(), kafka.defaultPartitions(), kafka.maxRequestSize(), kafka.vhost(),
                kafka.anonymousUser());
    }

    /** What the AMQP endpoint is started with. */
    public AmqpSettings amqpSettings() {
        return new AmqpSettings(amqp.host(), amqp.port(), amqp.frameMax(), amqp.channelMax(), amqp.heartbeat(),
                amqp.maxMessageSize(), amqp.handshakeTimeout());
    }
}
