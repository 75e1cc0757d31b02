package io.wharf.server;

import io.wharf.cluster.ClusterNode;
import io.wharf.core.cluster.CommandApplier;
import io.wharf.core.Broker;
import io.wharf.core.Lifecycle;
import io.wharf.core.WharfVersion;
import io.wharf.core.cluster.NodeRegistration;
import io.wharf.core.vhost.MetadataApplier;
import io.wharf.management.ManagementEndpoint;
import io.wharf.management.ManagementSettings;
import io.wharf.protocol.amqp.AmqpEndpoint;
import io.wharf.protocol.common.EventLoops;
import io.wharf.protocol.common.ProtocolEndpoint;
import io.wharf.protocol.kafka.KafkaEndpoint;
import io.wharf.protocol.mqtt.MqttEndpoint;
import io.wharf.protocol.stomp.StompEndpoint;
import io.wharf.server.config.ConfigException;
import io.wharf.server.config.ConfigLoader;
import io.wharf.server.config.WharfConfig;
import io.wharf.storage.file.FileChannelFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

/**
 * A running Wharf broker: the embedded API that {@code ./wharf}, the tests and any application
 * that wants a broker in-process all use.
 *
 * <pre>{@code
 * try (WharfServer wharf = WharfServer.builder().dataDir(dir).httpPort(0).start()) {
 *     int port = wharf.httpPort();
 * }
 * }</pre>
 *
 * <p>Start-up validates the whole configuration before it touches the disk or binds a port.
 * {@link #close()} stops the listeners, then flushes and closes every log. Thread-safe.
 */
public final class WharfServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WharfServer.class);
    private static final byte[] NO_RESULT = new byte[0];
    /** How often message rates are sampled for the management API. */
    private static final long RATE_INTERVAL_MS = 5000;

    /** One protocol the server can run: whether the configuration enables it, and how it starts. */
    private record Protocol(String name, String enabledKey, Predicate<WharfConfig> enabled, Starter starter) {
    }

    private interface Starter {
        ProtocolEndpoint start(Broker broker, WharfConfig config, EventLoops loops) throws IOException;
    }

    /** Every protocol, in the order the endpoints start (and the reverse of the order they stop). */
    private static final List<Protocol> PROTOCOLS = List.of(
            new Protocol("AMQP", "amqp.enabled", c -> c.amqp().enabled(), (b, c, l) -> AmqpEndpoint.start(b, c.amqpSettings(), l)),
            new Protocol("Kafka", "kafka.enabled", c -> c.kafka().enabled(), (b, c, l) -> KafkaEndpoint.start(b, c.kafkaSettings(), l)),
            new Protocol("MQTT", "mqtt.enabled", c -> c.mqtt().enabled(), (b, c, l) -> MqttEndpoint.start(b, c.mqttSettings(), l)),
            new Protocol("STOMP", "stomp.enabled", c -> c.stomp().enabled(), (b, c, l) -> StompEndpoint.start(b, c.stompSettings(), l)));

    private final WharfConfig config;
    private final Broker broker;
    private final ClusterNode cluster;
    // What waits for the cluster's agreement in the background: declared streams, this node's registration.
    private final List<AutoCloseable> untilAgreed;
    private final EventLoops loops;
    private final Map<String, ProtocolEndpoint> endpoints;
    private final ManagementEndpoint http;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Lifecycle state = Lifecycle.RUNNING;

    private WharfServer(WharfConfig config, Broker broker, ClusterNode cluster, List<AutoCloseable> untilAgreed,
                        EventLoops loops, Map<String, ProtocolEndpoint> endpoints, ManagementEndpoint http) {
        this.config = config;
        this.broker = broker;
        this.cluster = cluster;
        this.untilAgreed = untilAgreed;
        this.loops = loops;
        this.endpoints = endpoints;
        this.http = http;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static WharfServer start(WharfConfig config, FileChannelFactory storageChannels) throws IOException {
        long started = System.nanoTime();
        Broker broker = Broker.open(storageChannels == null ? config.brokerSettings()
                : config.brokerSettings().withStorageChannels(storageChannels));
        ClusterNode cluster;
        try {
            cluster = joinCluster(config, broker);
        } catch (IOException | RuntimeException e) {
            closeQuietly(broker, e);
            throw e;
        }
        EventLoops loops = EventLoops.start();
        Map<String, ProtocolEndpoint> endpoints = new LinkedHashMap<>();
        ManagementEndpoint http;
        AutoCloseable declaredStreams = null;
        try {
            if (cluster == null) {
                // Before any listener opens, so no client ever sees the broker without its declared streams.
                DeclaredStreams.apply(broker, config.streams());
            } else {
                // A node of a cluster may start before a majority runs, and must, for one to run.
                declaredStreams = DeclaredStreams.applyWhenAgreed(broker, config.streams());
            }
            for (Protocol p : PROTOCOLS) {
                if (p.enabled().test(config)) {
                    endpoints.put(p.name(), p.starter().start(broker, config, loops));
                }
            }
            Map<String, Integer> listeners = new LinkedHashMap<>();
            endpoints.values().forEach(e -> listeners.putAll(e.listeners()));
            http = ManagementEndpoint.start(broker, new ManagementSettings(config.http().host(), config.http().port(),
                    listeners, RATE_INTERVAL_MS), loops);
        } catch (IOException | RuntimeException e) {
            closeEndpoints(endpoints.values());
            loops.close();
            closeQuietly(declaredStreams, e);
            closeQuietly(cluster, e);
            closeQuietly(broker, e);
            throw e;
        }
        List<AutoCloseable> untilAgreed = cluster == null ? List.of()
                : List.of(declaredStreams, register(config, broker, endpoints, http));
        WharfServer server = new WharfServer(config, broker, cluster, untilAgreed, loops, endpoints, http);
        LOG.info("Wharf started in {} ms: data in {}, {}, HTTP on {}:{}{}", (System.nanoTime() - started) / 1_000_000,
                broker.storage().dataDir(), describe(config, endpoints), config.http().host(), http.port(),
                cluster == null ? "" : ", " + cluster);
        return server;
    }

    /**
     * Starts this node's part of the cluster the configuration names, if any, and has the broker
     * change its definitions through it. The cluster's log is applied to the broker's definitions
     * before this returns, as far as this node has it; clients connect only after.
     */
    private static ClusterNode joinCluster(WharfConfig config, Broker broker) throws IOException {
        if (!config.cluster().enabled()) {
            return null;
        }
        MetadataApplier applier = broker.metadataApplier();
        ClusterNode node = ClusterNode.start(config.cluster().self(), config.cluster().members(),
                config.dataDir().resolve("raft"), new CommandApplier() {
                    @Override
                    public CompletableFuture<byte[]> apply(long index, byte[] command) {
                        return applier.apply(index, command).thenApply(v -> NO_RESULT);
                    }

                    @Override
                    public long durableIndex() {
                        return applier.durableIndex();
                    }
                }, new ClusterNode.DataGroupSettings(config.cluster().effectiveDataGroups(),
                        config.cluster().effectiveReplicationFactor()),
                broker::partitionApplier);
        broker.joinCluster(node);
        return node;
    }

    /** Tells the cluster where this node serves clients: on the host its Raft address names. */
    private static AutoCloseable register(WharfConfig config, Broker broker, Map<String, ProtocolEndpoint> endpoints,
                                          ManagementEndpoint http) {
        Map<String, Integer> listeners = new LinkedHashMap<>();
        endpoints.values().forEach(e -> listeners.putAll(e.listeners()));
        listeners.put("http", http.port());
        NodeRegistration registration = new NodeRegistration(config.cluster().nodeId(), config.cluster().self().host(),
                listeners, WharfVersion.current());
        return UntilAgreed.start("cluster-registration", "registering this node with the cluster",
                () -> broker.registerNode(registration).get(60, TimeUnit.SECONDS));
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed", closeable, e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Exception failure) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** Where each protocol listens, or that it is disabled, for the start-up line. */
    private static String describe(WharfConfig config, Map<String, ProtocolEndpoint> endpoints) {
        List<String> parts = new ArrayList<>();
        for (Protocol p : PROTOCOLS) {
            ProtocolEndpoint e = endpoints.get(p.name());
            parts.add(p.name() + " on " + (e == null ? "(disabled)" : e.listeners().values().iterator().next()));
        }
        return String.join(", ", parts);
    }

    /** The port of one of a protocol's listeners, by RabbitMQ's listener name. */
    private int port(String protocol, String listener) {
        Protocol p = PROTOCOLS.stream().filter(x -> x.name().equals(protocol)).findFirst().orElseThrow();
        ProtocolEndpoint e = endpoints.get(protocol);
        if (e == null) {
            throw new IllegalStateException("the " + protocol + " listener is disabled (" + p.enabledKey() + "=false)");
        }
        Integer port = e.listeners().get(listener);
        if (port == null) {
            throw new IllegalStateException(protocol + " over WebSocket is off");
        }
        return port;
    }

    public WharfConfig config() {
        return config;
    }

    public Broker broker() {
        return broker;
    }

    public Path dataDir() {
        return broker.storage().dataDir();
    }

    /**
     * The port the AMQP listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if AMQP is disabled
     */
    public int amqpPort() {
        return port("AMQP", "amqp");
    }

    /**
     * The port the Kafka listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if Kafka is disabled
     */
    public int kafkaPort() {
        return port("Kafka", "kafka");
    }

    /**
     * The port the MQTT listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if MQTT is disabled
     */
    public int mqttPort() {
        return port("MQTT", "mqtt");
    }

    /**
     * The port of MQTT over WebSocket (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if MQTT or its WebSocket listener is off
     */
    public int mqttWebSocketPort() {
        return port("MQTT", "http/web-mqtt");
    }

    /**
     * The port the STOMP listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if STOMP is disabled
     */
    public int stompPort() {
        return port("STOMP", "stomp");
    }

    /**
     * The port of STOMP over WebSocket (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if STOMP or its WebSocket listener is off
     */
    public int stompWebSocketPort() {
        return port("STOMP", "http/web-stomp");
    }

    /** The port the HTTP listener is bound to (the real one when 0 was asked for). */
    public int httpPort() {
        return http.port();
    }

    public Lifecycle state() {
        return state;
    }

    /** Blocks until the server has been closed. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    @Override
    public synchronized void close() throws IOException {
        if (state != Lifecycle.RUNNING) {
            return;
        }
        state = Lifecycle.CLOSING;
        LOG.info("Wharf stopping");
        try {
            http.close();
            closeEndpoints(endpoints.values());
            loops.close();
            // Before the broker: the cluster's applies change the broker's definitions.
            if (cluster != null) {
                untilAgreed.forEach(WharfServer::closeQuietly);
                cluster.close();
            }
        } finally {
            try {
                broker.close();
            } finally {
                state = Lifecycle.CLOSED;
                closed.countDown();
                LOG.info("Wharf stopped");
            }
        }
    }

    /** Closes the protocol endpoints that were started, the last started first. */
    private static void closeEndpoints(Collection<ProtocolEndpoint> endpoints) {
        List<ProtocolEndpoint> reversed = new ArrayList<>(endpoints);
        Collections.reverse(reversed);
        for (ProtocolEndpoint e : reversed) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                LOG.warn("closing the {} endpoint failed", e.protocol(), ex);
            }
        }
    }

    /** Collects configuration for a {@link WharfServer}; nothing is checked until {@link #config()} or {@link #start()}. */
    public static final class Builder {
        private Path configFile;
        private Map<String, String> environment = Map.of();
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private FileChannelFactory storageChannels;

        /** Reads a YAML configuration file. */
        public Builder configFile(Path file) {
            this.configFile = file;
            return this;
        }

        /**
         * Applies {@code WHARF_*} variables from this environment, as {@code ./wharf} does with
         * the process environment. The embedded API ignores the process environment unless asked.
         */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** Sets one configuration key, such as {@code storage.fsync}; takes precedence over file and environment. */
        public Builder set(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public Builder dataDir(Path dir) {
            return set("data-dir", dir.toString());
        }

        /** The AMQP port; 0 picks a free one. */
        public Builder amqpPort(int port) {
            return set("amqp.port", Integer.toString(port));
        }

        /** The Kafka port; 0 picks a free one. */
        public Builder kafkaPort(int port) {
            return set("kafka.port", Integer.toString(port));
        }

        /** The MQTT port; 0 picks a free one. */
        public Builder mqttPort(int port) {
            return set("mqtt.port", Integer.toString(port));
        }

        /** The HTTP port; 0 picks a free one. */
        public Builder httpPort(int port) {
            return set("http.port", Integer.toString(port));
        }

        /**
         * Has storage write its logs through {@code channels}: tests pass storage's fault injection
         * ({@link io.wharf.storage.file.FaultyFileChannels}) to see the broker with a failing disk.
         */
        public Builder storageChannels(FileChannelFactory channels) {
            this.storageChannels = channels;
            return this;
        }

        /** Loads and validates the configuration without starting anything. */
        public WharfConfig config() throws ConfigException {
            return ConfigLoader.load(configFile, environment, overrides);
        }

        /**
         * Validates the configuration, then opens storage (recovering it if needed) and binds the listeners.
         *
         * @throws ConfigException before anything is opened or bound, if the configuration is invalid
         * @throws IOException     if storage cannot be opened or a port cannot be bound
         */
        public WharfServer start() throws ConfigException, IOException {
            return WharfServer.start(config(), storageChannels);
        }
    }
}
