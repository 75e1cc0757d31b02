package io.wharf.cluster;

import java.util.regex.Pattern;

/**
 * One member of a cluster as every node's configuration names it, {@code id@host:port}: the
 * node's id and the address of its Raft port. Immutable.
 *
 * @param id   the node's id, the same on every node's member list
 * @param host the host other members reach it on (an IPv6 address without brackets)
 * @param port its Raft port
 */
public record ClusterMember(String id, String host, int port) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public ClusterMember {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a node id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter"
                    + " or digit; got '" + id + "'");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("node '" + id + "' has no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node '" + id + "' has port " + port + "; a port is 1 to 65535");
        }
    }

    /**
     * Reads {@code id@host:port}, with an IPv6 host in brackets ({@code n1@[::1]:7101}).
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static ClusterMember parse(String text) {
        String t = text == null ? "" : text.strip();
        int at = t.indexOf('@');
        int colon = t.lastIndexOf(':');
        if (at < 1 || colon < at + 2 || colon == t.length() - 1) {
            throw new IllegalArgumentException("a member is id@host:port, such as n1@10.0.0.1:7101; got '" + t + "'");
        }
        String host = t.substring(at + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 host goes in brackets, as in n1@[::1]:7101; got '" + t + "'");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + t.substring(colon + 1) + "' in '" + t + "' is not a port");
        }
        return new ClusterMember(t.substring(0, at), host, port);
    }

    /** The Raft address, {@code host:port}, with an IPv6 host in brackets. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return id + "@" + address();
    }
}
