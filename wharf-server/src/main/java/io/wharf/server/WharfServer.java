package io.wharf.server;

import io.wharf.core.Broker;
import io.wharf.core.Lifecycle;
import io.wharf.management.ManagementEndpoint;
import io.wharf.management.ManagementSettings;
import io.wharf.protocol.amqp.AmqpEndpoint;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

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
    /** How often message rates are sampled for the management API. */
    private static final long RATE_INTERVAL_MS = 5000;

    private final WharfConfig config;
    private final Broker broker;
    private final AmqpEndpoint amqp;
    private final KafkaEndpoint kafka;
    private final MqttEndpoint mqtt;
    private final StompEndpoint stomp;
    private final ManagementEndpoint http;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Lifecycle state = Lifecycle.RUNNING;

    private WharfServer(WharfConfig config, Broker broker, AmqpEndpoint amqp, KafkaEndpoint kafka, MqttEndpoint mqtt,
                        StompEndpoint stomp, ManagementEndpoint http) {
        this.config = config;
        this.broker = broker;
        this.amqp = amqp;
        this.kafka = kafka;
        this.mqtt = mqtt;
        this.stomp = stomp;
        this.http = http;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static WharfServer start(WharfConfig config, FileChannelFactory storageChannels) throws IOException {
        long started = System.nanoTime();
        Broker broker = Broker.open(storageChannels == null ? config.brokerSettings()
                : config.brokerSettings().withStorageChannels(storageChannels));
        AmqpEndpoint amqp = null;
        KafkaEndpoint kafka = null;
        MqttEndpoint mqtt = null;
        StompEndpoint stomp = null;
        ManagementEndpoint http;
        try {
            // Before any listener opens, so no client ever sees the broker without its declared streams.
            DeclaredStreams.apply(broker, config.streams());
            if (config.amqp().enabled()) {
                amqp = AmqpEndpoint.start(broker, config.amqpSettings());
            }
            if (config.kafka().enabled()) {
                kafka = KafkaEndpoint.start(broker, config.kafkaSettings());
            }
            if (config.mqtt().enabled()) {
                mqtt = MqttEndpoint.start(broker, config.mqttSettings());
            }
            if (config.stomp().enabled()) {
                stomp = StompEndpoint.start(broker, config.stompSettings());
            }
            http = ManagementEndpoint.start(broker, new ManagementSettings(config.http().host(), config.http().port(),
                    listeners(config, amqp, kafka, mqtt, stomp), RATE_INTERVAL_MS));
        } catch (IOException | RuntimeException e) {
            closeEndpoints(amqp, kafka, mqtt, stomp);
            try {
                broker.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        WharfServer server = new WharfServer(config, broker, amqp, kafka, mqtt, stomp, http);
        LOG.info("Wharf started in {} ms: data in {}, AMQP on {}, Kafka on {}, MQTT on {}, STOMP on {}, HTTP on {}:{}",
                (System.nanoTime() - started) / 1_000_000, broker.storage().dataDir(),
                amqp == null ? "(disabled)" : config.amqp().host() + ":" + amqp.port(),
                kafka == null ? "(disabled)" : config.kafka().host() + ":" + kafka.port(),
                mqtt == null ? "(disabled)" : config.mqtt().host() + ":" + mqtt.port(),
                stomp == null ? "(disabled)" : config.stomp().host() + ":" + stomp.port(),
                config.http().host(), http.port());
        return server;
    }

    /** The protocol listeners that were started, by protocol name, for the management overview. */
    private static Map<String, Integer> listeners(WharfConfig config, AmqpEndpoint amqp, KafkaEndpoint kafka, MqttEndpoint mqtt,
                                                  StompEndpoint stomp) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (amqp != null) {
            out.put("amqp", amqp.port());
        }
        if (kafka != null) {
            out.put("kafka", kafka.port());
        }
        if (mqtt != null) {
            out.put("mqtt", mqtt.port());
        }
        if (stomp != null) {
            out.put("stomp", stomp.port());
        }
        // Named as RabbitMQ names its WebSocket listeners.
        if (mqtt != null && config.mqtt().websocketEnabled()) {
            out.put("http/web-mqtt", mqtt.websocketPort());
        }
        if (stomp != null && config.stomp().websocketEnabled()) {
            out.put("http/web-stomp", stomp.websocketPort());
        }
        return out;
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
        if (amqp == null) {
            throw new IllegalStateException("the AMQP listener is disabled (amqp.enabled=false)");
        }
        return amqp.port();
    }

    /**
     * The port the Kafka listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if Kafka is disabled
     */
    public int kafkaPort() {
        if (kafka == null) {
            throw new IllegalStateException("the Kafka listener is disabled (kafka.enabled=false)");
        }
        return kafka.port();
    }

    /**
     * The port the MQTT listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if MQTT is disabled
     */
    public int mqttPort() {
        if (mqtt == null) {
            throw new IllegalStateException("the MQTT listener is disabled (mqtt.enabled=false)");
        }
        return mqtt.port();
    }

    /**
     * The port of MQTT over WebSocket (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if MQTT or its WebSocket listener is off
     */
    public int mqttWebSocketPort() {
        if (mqtt == null) {
            throw new IllegalStateException("the MQTT listener is disabled (mqtt.enabled=false)");
        }
        return mqtt.websocketPort();
    }

    /**
     * The port the STOMP listener is bound to (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if STOMP is disabled
     */
    public int stompPort() {
        if (stomp == null) {
            throw new IllegalStateException("the STOMP listener is disabled (stomp.enabled=false)");
        }
        return stomp.port();
    }

    /**
     * The port of STOMP over WebSocket (the real one when 0 was asked for).
     *
     * @throws IllegalStateException if STOMP or its WebSocket listener is off
     */
    public int stompWebSocketPort() {
        if (stomp == null) {
            throw new IllegalStateException("the STOMP listener is disabled (stomp.enabled=false)");
        }
        return stomp.websocketPort();
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
            closeEndpoints(amqp, kafka, mqtt, stomp);
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

    /** Closes the protocol endpoints that were started (null for those that were not). */
    private static void closeEndpoints(AutoCloseable... endpoints) {
        for (AutoCloseable e : endpoints) {
            if (e == null) {
                continue;
            }
            try {
                e.close();
            } catch (Exception ex) {
                LOG.warn("closing {} failed", e, ex);
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
