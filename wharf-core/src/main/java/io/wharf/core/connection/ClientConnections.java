package io.wharf.core.connection;

import io.wharf.core.Registration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every open client connection of every protocol, and the frames the protocols refused, so that
 * operators see them in one place.
 *
 * <p>Thread-safe.
 */
public final class ClientConnections {

    /** A protocol and the error it answered a refused frame with. */
    public record Rejection(String protocol, String error) {
    }

    private final Map<String, ClientConnection> open = new ConcurrentHashMap<>();
    private final Map<Rejection, LongAdder> rejected = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> opened = new ConcurrentHashMap<>();

    /** Adds a connection; the returned handle removes it when the connection ends. */
    public Registration register(ClientConnection connection) {
        open.put(connection.name(), connection);
        opened.computeIfAbsent(connection.protocol(), p -> new LongAdder()).increment();
        return () -> open.remove(connection.name(), connection);
    }

    public List<ClientConnection> all() {
        return new ArrayList<>(open.values());
    }

    public Optional<ClientConnection> find(String name) {
        return Optional.ofNullable(open.get(name));
    }

    /** Counts a frame a protocol adapter refused, by the error it answered with. */
    public void rejected(String protocol, String error) {
        rejected.computeIfAbsent(new Rejection(protocol, error), r -> new LongAdder()).increment();
    }

    /** How many frames each protocol refused, by error, since the broker started. */
    public Map<Rejection, Long> rejections() {
        Map<Rejection, Long> out = new TreeMap<>((a, b) -> a.protocol().equals(b.protocol())
                ? a.error().compareTo(b.error()) : a.protocol().compareTo(b.protocol()));
        rejected.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Connections accepted per protocol since the broker started. */
    public Map<String, Long> openedTotals() {
        Map<String, Long> out = new TreeMap<>();
        opened.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
