package io.wharf.test;

import io.wharf.core.auth.Permission;
import io.wharf.server.WharfServer;
import io.wharf.server.config.ConfigException;
import io.wharf.server.config.ConfigLoader;
import io.wharf.storage.file.Directories;
import io.wharf.storage.file.FileChannelFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Gives tests a fresh embedded Wharf broker with its own data directory and every listener on a
 * free port. Registered on a static field it serves the whole class; on an instance field, each
 * test gets its own. A broker that serves a class can give each test a virtual host of its own
 * ({@link #vhostPerTest()}), so that tests sharing it do not see each other's queues.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final WharfExtension wharf = new WharfExtension().with("storage.fsync", "never");
 *
 * @Test
 * void test(WharfServer server) { ... server.httpPort() ... }
 * }</pre>
 */
public final class WharfExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private final Map<String, String> settings = new LinkedHashMap<>();
    private Path dataDirParent;
    private FileChannelFactory storageChannels;
    private boolean perClass;
    private boolean vhostPerTest;
    private String testVhost;
    private int vhostsMade;
    private Path dataDir;
    private WharfServer server;

    public WharfExtension() {
        // Port 0 asks the operating system for a free port: nothing to race for.
        ConfigLoader.defaultValues().keySet().stream()
                .filter(k -> k.endsWith(".port") || k.endsWith("-port"))
                .forEach(k -> settings.put(k, "0"));
        settings.put("http.host", "127.0.0.1");
        settings.put("amqp.host", "127.0.0.1");
        settings.put("kafka.host", "127.0.0.1");
        settings.put("mqtt.host", "127.0.0.1");
        settings.put("stomp.host", "127.0.0.1");
    }

    /** Sets a configuration key for the brokers this extension starts. */
    public WharfExtension with(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** Keeps the brokers' data directories under {@code parent}, as on a file system a test mounted. */
    public WharfExtension dataDirIn(Path parent) {
        this.dataDirParent = parent;
        return this;
    }

    /** Has the brokers' storage write through {@code channels}, as storage's fault injection. */
    public WharfExtension storageChannels(FileChannelFactory channels) {
        this.storageChannels = channels;
        return this;
    }

    /**
     * Gives each test a virtual host of its own, in which {@code guest} may do everything, deleted
     * after the test; {@link #vhost()} names it. For an extension on a static field.
     */
    public WharfExtension vhostPerTest() {
        this.vhostPerTest = true;
        return this;
    }

    /** The virtual host the running test uses: its own with {@link #vhostPerTest()}, else {@code /}. */
    public String vhost() {
        return testVhost != null ? testVhost : "/";
    }

    public WharfServer server() {
        if (server == null) {
            throw new IllegalStateException("no broker is running: is the extension registered with @RegisterExtension?");
        }
        return server;
    }

    public int httpPort() {
        return server().httpPort();
    }

    public int amqpPort() {
        return server().amqpPort();
    }

    public int kafkaPort() {
        return server().kafkaPort();
    }

    public int mqttPort() {
        return server().mqttPort();
    }

    public int mqttWebSocketPort() {
        return server().mqttWebSocketPort();
    }

    public int stompPort() {
        return server().stompPort();
    }

    public int stompWebSocketPort() {
        return server().stompWebSocketPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Something done to the data directory while the broker is stopped. */
    @FunctionalInterface
    public interface WhileStopped {
        void run(Path dataDir) throws IOException;
    }

    /**
     * Closes the broker cleanly and starts a new one on the same data directory and ports, as an
     * operator's restart would.
     */
    public WharfServer restart() throws IOException, ConfigException {
        return restart(dir -> { });
    }

    /**
     * Restarts as {@link #restart()} does, running {@code whileStopped} on the data directory
     * between the stop and the start, as a test that damages files on purpose needs.
     */
    public WharfServer restart(WhileStopped whileStopped) throws IOException, ConfigException {
        Map<String, String> samePorts = new LinkedHashMap<>(settings);
        samePorts.put("http.port", Integer.toString(server().httpPort()));
        if (server().config().amqp().enabled()) {
            samePorts.put("amqp.port", Integer.toString(server().amqpPort()));
        }
        if (server().config().kafka().enabled()) {
            samePorts.put("kafka.port", Integer.toString(server().kafkaPort()));
        }
        if (server().config().mqtt().enabled()) {
            samePorts.put("mqtt.port", Integer.toString(server().mqttPort()));
            if (server().config().mqtt().websocketEnabled()) {
                samePorts.put("mqtt.websocket-port", Integer.toString(server().mqttWebSocketPort()));
            }
        }
        if (server().config().stomp().enabled()) {
            samePorts.put("stomp.port", Integer.toString(server().stompPort()));
            if (server().config().stomp().websocketEnabled()) {
                samePorts.put("stomp.websocket-port", Integer.toString(server().stompWebSocketPort()));
            }
        }
        server.close();
        whileStopped.run(dataDir);
        server = start(samePorts);
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        dataDir = newDataDir();
        server = start(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            dataDir = newDataDir();
            server = start(settings);
        } else if (vhostPerTest) {
            String name = "test-" + (++vhostsMade) + "-" + context.getRequiredTestMethod().getName();
            server.broker().createVirtualHost(name).get(30, TimeUnit.SECONDS);
            server.broker().users().setPermission("guest", name, Permission.ALL).get(30, TimeUnit.SECONDS);
            testVhost = name;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        } else if (testVhost != null) {
            String name = testVhost;
            testVhost = null;
            if (server != null) {
                server.broker().deleteVirtualHost(name).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private Path newDataDir() throws IOException {
        return dataDirParent == null ? Files.createTempDirectory("wharf-test") : Files.createTempDirectory(dataDirParent, "wharf-test");
    }

    private WharfServer start(Map<String, String> config) throws IOException, ConfigException {
        WharfServer.Builder b = WharfServer.builder().dataDir(dataDir).storageChannels(storageChannels);
        config.forEach(b::set);
        return b.start();
    }

    private void stop() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            if (dataDir != null) {
                Directories.deleteRecursively(dataDir);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == WharfServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }

    @Override
    public String toString() {
        try {
            return "WharfExtension[" + (server == null ? "stopped" : "http=" + server.httpPort() + ", data=" + dataDir) + "]";
        } catch (UncheckedIOException e) {
            return "WharfExtension[?]";
        }
    }
}
