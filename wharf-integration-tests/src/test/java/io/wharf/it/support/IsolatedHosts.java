package io.wharf.it.support;

import io.wharf.test.DebianTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts of their own on this machine: one network namespace each, joined pairwise by veth links,
 * each with one address ({@link #address}) the others and this JVM reach it on. No bridge and no
 * forwarding in this JVM's namespace are involved, so the host's firewall plays no part. The
 * network between two hosts can be cut and healed ({@link #cut}, {@link #heal}) with blackhole
 * routes; {@code tc netem} is not needed. Needs root; {@link #available} says whether this is.
 *
 * <p>Not thread-safe: a test drives it from one thread. {@link #close} removes everything.
 */
public final class IsolatedHosts implements AutoCloseable {

    private final String prefix;
    private final int net;
    private final int count;
    private final List<String> created = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();

    private IsolatedHosts(int count) {
        this.count = count;
        // Random, so that runs side by side or leftovers of a killed run never collide.
        this.net = ThreadLocalRandom.current().nextInt(16, 250);
        this.prefix = "wh" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    }

    /** Whether this process may make namespaces: it runs as root. */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Makes {@code count} hosts, linked each to each and to this JVM. */
    public static IsolatedHosts create(int count) throws IOException, InterruptedException {
        DebianTools.ensure("scripts/iproute2.sh", Path.of("/bin/ip"));
        IsolatedHosts hosts = new IsolatedHosts(count);
        try {
            hosts.build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            hosts.close();
            throw e;
        }
        return hosts;
    }

    private void build() throws IOException, InterruptedException {
        for (int i = 1; i <= count; i++) {
            ip("netns", "add", namespace(i));
            created.add(namespace(i));
            ip("-n", namespace(i), "link", "set", "lo", "up");
            ip("-n", namespace(i), "addr", "add", address(i) + "/32", "dev", "lo");
        }
        for (int i = 1; i <= count; i++) {
            for (int j = i + 1; j <= count; j++) {
                ip("link", "add", prefix + "t", "type", "veth", "peer", "name", prefix + "u");
                ip("link", "set", prefix + "t", "netns", namespace(i), "name", "p" + j);
                ip("link", "set", prefix + "u", "netns", namespace(j), "name", "p" + i);
                ip("-n", namespace(i), "link", "set", "p" + j, "up");
                ip("-n", namespace(j), "link", "set", "p" + i, "up");
                route(i, j);
                route(j, i);
            }
            // This JVM's way in: a link from its namespace, with a host route each way.
            String outside = prefix + "r" + i;
            ip("link", "add", outside, "type", "veth", "peer", "name", prefix + "v");
            rootLinks.add(outside);
            ip("link", "set", prefix + "v", "netns", namespace(i), "name", "up0");
            ip("addr", "add", client() + "/32", "dev", outside);
            ip("link", "set", outside, "up");
            ip("-n", namespace(i), "link", "set", "up0", "up");
            ip("route", "add", address(i) + "/32", "dev", outside, "src", client());
            ip("-n", namespace(i), "route", "add", client() + "/32", "dev", "up0", "src", address(i));
        }
    }

    /** Host {@code i}'s namespace, for {@code ip netns exec}. */
    public String namespace(int i) {
        return prefix + "-" + i;
    }

    /** The address host {@code i} is reached on, from the other hosts and from this JVM. */
    public String address(int i) {
        return "10." + net + ".0." + i;
    }

    /** The address this JVM reaches the hosts from. */
    private String client() {
        return "10." + net + ".1.1";
    }

    /** Cuts the network between hosts {@code i} and {@code j}, both ways. */
    public void cut(int i, int j) throws IOException, InterruptedException {
        ip("-n", namespace(i), "route", "replace", "blackhole", address(j) + "/32");
        ip("-n", namespace(j), "route", "replace", "blackhole", address(i) + "/32");
    }

    /** Joins hosts {@code i} and {@code j} again. */
    public void heal(int i, int j) throws IOException, InterruptedException {
        route(i, j);
        route(j, i);
    }

    private void route(int from, int to) throws IOException, InterruptedException {
        ip("-n", namespace(from), "route", "replace", address(to) + "/32", "dev", "p" + to, "src", address(from));
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("/bin/ip");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        IOException first = null;
        // Deleting a namespace deletes the veth links in it, and with them their peers.
        for (String link : rootLinks) {
            try {
                ip("link", "del", link);
            } catch (IOException e) {
                // Gone with its namespace's end already.
            }
        }
        for (String ns : created) {
            try {
                ip("netns", "del", ns);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
