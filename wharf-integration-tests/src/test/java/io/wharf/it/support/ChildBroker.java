package io.wharf.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker in a child JVM on a fixed data directory and fixed ports, so it can be killed with
 * SIGKILL and started again where it was. Its output goes to {@code broker.log} in {@code dir}.
 */
public final class ChildBroker implements AutoCloseable {

    private final Path dir;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final int amqpPort;
    private final int kafkaPort;
    private final int mqttPort;
    private final int httpPort;
    private final int stompPort;
    private String maxHeap = "512m";
    private String namespace;
    private Process process;

    public ChildBroker(Path dir) throws IOException {
        this.dir = dir;
        this.amqpPort = FreePorts.next();
        this.kafkaPort = FreePorts.next();
        this.mqttPort = FreePorts.next();
        this.httpPort = FreePorts.next();
        this.stompPort = FreePorts.next();
        env.put("WHARF_AMQP_HOST", "127.0.0.1");
        env.put("WHARF_AMQP_PORT", Integer.toString(amqpPort));
        env.put("WHARF_KAFKA_HOST", "127.0.0.1");
        env.put("WHARF_KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("WHARF_MQTT_HOST", "127.0.0.1");
        env.put("WHARF_MQTT_PORT", Integer.toString(mqttPort));
        env.put("WHARF_MQTT_WEBSOCKET_ENABLED", "false");
        env.put("WHARF_STOMP_ENABLED", "false");
        env.put("WHARF_STOMP_HOST", "127.0.0.1");
        env.put("WHARF_STOMP_PORT", Integer.toString(stompPort));
        env.put("WHARF_STOMP_WEBSOCKET_ENABLED", "false");
        env.put("WHARF_HTTP_HOST", "127.0.0.1");
        env.put("WHARF_HTTP_PORT", Integer.toString(httpPort));
    }

    public int amqpPort() {
        return amqpPort;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    public int mqttPort() {
        return mqttPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** STOMP's port, once {@code WHARF_STOMP_ENABLED} is set true with {@link #with}. */
    public int stompPort() {
        return stompPort;
    }

    /** Sets a configuration variable ({@code WHARF_...}) for the next start. */
    public ChildBroker with(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    /** The broker's maximum heap ({@code -Xmx}) from the next start on; 512m unless set. */
    public ChildBroker maxHeap(String size) {
        this.maxHeap = size;
        return this;
    }

    /**
     * Runs the broker in network namespace {@code ns} ({@link IsolatedHosts}) from the next start
     * on, listening on every address there rather than on loopback.
     */
    public ChildBroker inNamespace(String ns) {
        this.namespace = ns;
        for (String protocol : List.of("AMQP", "KAFKA", "MQTT", "STOMP", "HTTP")) {
            env.put("WHARF_" + protocol + "_HOST", "0.0.0.0");
        }
        return this;
    }

    /** The broker's output so far: its log. */
    public String log() throws IOException {
        Path log = dir.resolve("broker.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * The nodes of a cluster of {@code size} child JVMs on loopback, not started yet: {@code n1} to
     * {@code nN}, each in a directory of its own under {@code dir}, with the same member list,
     * Raft ports on free ports, and {@code env} besides.
     */
    public static List<ChildBroker> cluster(Path dir, int size, Map<String, String> env) throws IOException {
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            members.add("n" + i + "@127.0.0.1:" + FreePorts.next());
        }
        List<ChildBroker> nodes = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            Files.createDirectories(dir.resolve("n" + i));
            ChildBroker node = new ChildBroker(dir.resolve("n" + i))
                    .with("WHARF_CLUSTER_NODE_ID", "n" + i)
                    .with("WHARF_CLUSTER_MEMBERS", members.toString());
            env.forEach(node::with);
            nodes.add(node);
        }
        return nodes;
    }

    /** Whether the broker process is running. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** The broker's data directory. */
    public Path dataDir() {
        return dir.resolve("data");
    }

    /** Starts the broker; callers wait for it to accept connections. */
    public void start() throws IOException {
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            // ip netns exec enters the namespace and then becomes the JVM: the process is the broker's.
            command.addAll(List.of("/bin/ip", "netns", "exec", namespace));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + maxHeap,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.wharf.server.Main", "--data-dir", dataDir().toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
                .directory(dir.toFile());
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** Stops the broker's process with SIGSTOP, as a long pause would: it neither runs nor answers. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a paused broker run again (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Kills the broker with SIGKILL and waits for it to be gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
