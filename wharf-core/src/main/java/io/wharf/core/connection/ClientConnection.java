package io.wharf.core.connection;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One client connection as operators see it, whatever its protocol: who is connected, from
 * where, what traffic it carries, and its channels or sessions. A protocol adapter creates one
 * per connection, fills in what it learns during the handshake, and registers it with
 * {@link ClientConnections}.
 *
 * <p>Thread-safe: the adapter writes, the management API reads.
 */
public final class ClientConnection {

    /** One channel (AMQP) or session of a connection. */
    public record Session(String name, int consumers, long unacknowledged, int prefetch) {
    }

    private final String name;
    private final String protocol;
    private final InetSocketAddress peer;
    private final InetSocketAddress local;
    private final long connectedAtMillis;
    private final Consumer<String> closer;
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private volatile String protocolVersion = "";
    private volatile String user = "";
    private volatile String vhost = "";
    private volatile String clientId = "";
    private volatile String state = "running";
    private volatile Map<String, String> clientProperties = Map.of();
    private volatile Supplier<List<Session>> sessions = List::of;
    private volatile Object owner;

    /**
     * @param protocol the protocol's name: {@code AMQP}, {@code Kafka}, {@code MQTT} or {@code STOMP}
     * @param closer   closes the connection, telling the client why in the protocol's own way
     */
    public ClientConnection(String protocol, InetSocketAddress peer, InetSocketAddress local, long connectedAtMillis,
                            Consumer<String> closer) {
        this.name = address(peer) + " -> " + address(local);
        this.protocol = protocol;
        this.peer = peer;
        this.local = local;
        this.connectedAtMillis = connectedAtMillis;
        this.closer = closer;
    }

    /** The connection's name, as RabbitMQ names them: {@code "peer:port -> local:port"}. */
    public String name() {
        return name;
    }

    private static String address(InetSocketAddress a) {
        return a == null ? "?" : a.getAddress() == null ? a.getHostString() + ":" + a.getPort()
                : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public String protocol() {
        return protocol;
    }

    /** The protocol version the client speaks, such as {@code 0-9-1}, {@code 5} or {@code 1.2}; empty until known. */
    public String protocolVersion() {
        return protocolVersion;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    public InetSocketAddress local() {
        return local;
    }

    public long connectedAtMillis() {
        return connectedAtMillis;
    }

    /** The authenticated user; empty before the handshake completes. */
    public String user() {
        return user;
    }

    public String vhost() {
        return vhost;
    }

    /** The client's own name for itself (MQTT and Kafka client id, AMQP connection name); may be empty. */
    public String clientId() {
        return clientId;
    }

    /** What the client said about itself (AMQP client properties, STOMP host, ...). */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** RabbitMQ's word for whether its publishers may go on: {@code running}, {@code flow} or {@code blocked}. */
    public String state() {
        return state;
    }

    public void state(String state) {
        this.state = state;
    }

    public List<Session> sessions() {
        return sessions.get();
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public void protocolVersion(String version) {
        this.protocolVersion = version == null ? "" : version;
    }

    /** Records who the client authenticated as and where it works. */
    public void authenticated(String user, String vhost) {
        this.user = user == null ? "" : user;
        this.vhost = vhost == null ? "" : vhost;
    }

    public void clientId(String id) {
        this.clientId = id == null ? "" : id;
    }

    public void clientProperties(Map<String, String> properties) {
        this.clientProperties = Map.copyOf(properties);
    }

    /**
     * The object the adapter names this connection by in the core: {@code Client.connection()}
     * and {@code ConsumerSpec.owner()}, so that a queue's consumers can be traced to their
     * connections. Null if the adapter does not say.
     */
    public Object owner() {
        return owner;
    }

    public void owner(Object owner) {
        this.owner = owner;
    }

    /** Where the connection's channels or sessions can be read from, when asked. */
    public void sessions(Supplier<List<Session>> source) {
        this.sessions = source;
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void messagesIn(long n) {
        messagesIn.add(n);
    }

    public void messagesOut(long n) {
        messagesOut.add(n);
    }

    public void bytesIn(long n) {
        bytesIn.add(n);
    }

    public void bytesOut(long n) {
        bytesOut.add(n);
    }

    /** Closes the connection on an operator's request, telling the client {@code reason}. */
    public void close(String reason) {
        closer.accept(reason);
    }

    @Override
    public String toString() {
        return protocol + " connection " + name();
    }
}
