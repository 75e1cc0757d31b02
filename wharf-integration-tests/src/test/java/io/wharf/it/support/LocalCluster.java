package io.wharf.it.support;

import io.wharf.server.WharfServer;
import io.wharf.server.config.ConfigException;
import io.wharf.server.config.ConfigLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster of embedded Wharf nodes in this JVM, on loopback: each with its own data directory,
 * client listeners on free ports, and a Raft port fixed for the cluster's life, so that a stopped
 * node can start again as the same member. Not thread-safe: a test drives it from one thread.
 */
public final class LocalCluster implements AutoCloseable {

    private final Path dir;
    private final List<String> ids = new ArrayList<>();
    private final List<String> members = new ArrayList<>();
    private final Map<String, String> settings;
    private final Map<String, WharfServer> running = new LinkedHashMap<>();

    private LocalCluster(Path dir, int size, Map<String, String> settings) throws IOException {
        this.dir = dir;
        this.settings = settings;
        for (int i = 0; i < size; i++) {
            newMember();
        }
    }

    /** Gives the next node an id and a Raft port; returns it as {@code id@host:port}. */
    private String newMember() throws IOException {
        String id = "n" + (ids.size() + 1);
        ids.add(id);
        String member = id + "@127.0.0.1:" + FreePorts.next();
        members.add(member);
        return member;
    }

    /**
     * Starts one more node, with a member list that names every node so far and itself, ready to
     * be added to the cluster by a membership change; returns it as {@code id@host:port}.
     */
    public String startNewMember() throws IOException, ConfigException {
        String member = newMember();
        start(member.substring(0, member.indexOf('@')));
        return member;
    }

    /** Starts {@code size} nodes under {@code dir}; they elect a leader among themselves. */
    public static LocalCluster start(Path dir, int size, Map<String, String> settings) throws IOException, ConfigException {
        LocalCluster c = new LocalCluster(dir, size, settings);
        try {
            // Started together, as nodes of one cluster are: the first to propose waits for a majority.
            for (String id : c.ids) {
                c.start(id);
            }
        } catch (IOException | ConfigException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Starts (or starts again) node {@code id}, with the data it had. */
    public WharfServer start(String id) throws IOException, ConfigException {
        WharfServer.Builder b = WharfServer.builder().dataDir(dir.resolve(id))
                .set("cluster.node-id", id)
                .set("cluster.members", "[" + String.join(", ", members) + "]");
        ConfigLoader.defaultValues().keySet().stream()
                .filter(k -> (k.endsWith(".port") || k.endsWith("-port")) && !k.startsWith("cluster."))
                .forEach(k -> b.set(k, "0"));
        for (String host : List.of("http.host", "amqp.host", "kafka.host", "mqtt.host", "stomp.host")) {
            b.set(host, "127.0.0.1");
        }
        settings.forEach(b::set);
        WharfServer server = b.start();
        running.put(id, server);
        return server;
    }

    /** Stops node {@code id} cleanly; its data stays for {@link #start(String)}. */
    public void stop(String id) throws IOException {
        WharfServer s = running.remove(id);
        if (s != null) {
            s.close();
        }
    }

    public WharfServer node(String id) {
        WharfServer s = running.get(id);
        if (s == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return s;
    }

    /** The ids of every member, running or not. */
    public List<String> ids() {
        return List.copyOf(ids);
    }

    /** The nodes running now. */
    public Map<String, WharfServer> running() {
        return Map.copyOf(running);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (String id : List.copyOf(running.keySet())) {
            try {
                stop(id);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
