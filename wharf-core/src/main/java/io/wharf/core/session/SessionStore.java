package io.wharf.core.session;

import io.wharf.core.concurrent.SerialExecutor;
import io.wharf.storage.journal.CommandReader;
import io.wharf.storage.journal.CommandWriter;
import io.wharf.storage.metadata.MetadataStore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;

/**
 * The sessions of a virtual host that outlive their connections (MQTT's persistent sessions): for
 * each client id, the subscriptions to restore when the client comes back. The messages a session
 * holds wait in its queue; this is what the session asked for.
 *
 * <p>Threading: changes are {@link SessionCommand}s applied one at a time by the store's own
 * {@link SerialExecutor}, in memory and in the metadata store, in the order they were given; each
 * completes once durable. Readers on any thread see the immutable {@link Session} values the
 * owner publishes.
 */
public final class SessionStore {

    private static final byte FORMAT = 1;
    private static final int NO_LOCAL = 1;
    private static final int RETAIN_AS_PUBLISHED = 2;

    /**
     * One subscription and its options.
     *
     * @param filter the filter as the client gave it
     * @param qos    the most the subscription asked for (MQTT's QoS 0, 1 or 2)
     * @param group  the shared subscription's group, or null
     */
    public record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, String group) {
    }

    /** A stored session; its subscriptions by filter, in the order they were first made. */
    public record Session(String protocol, String clientId, Map<String, Subscription> subscriptions) {
        public Session {
            subscriptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(subscriptions));
        }
    }

    private final MetadataStore store;
    private final String prefix;
    private final SerialExecutor owner;
    // Changed by the owner only; read from any thread.
    private final Map<String, Session> sessions = new ConcurrentSkipListMap<>();

    public SessionStore(MetadataStore store, String vhost, Executor pool) {
        this.store = store;
        this.prefix = "session\0" + vhost + "\0";
        this.owner = new SerialExecutor("sessions of " + vhost, pool, null);
        store.scan(prefix).forEach((key, value) -> {
            Session s = decode(value);
            sessions.put(key.substring(prefix.length()), s);
        });
    }

    public Optional<Session> get(String protocol, String clientId) {
        return Optional.ofNullable(sessions.get(key(protocol, clientId)));
    }

    /** Every stored session of a protocol. */
    public List<Session> all(String protocol) {
        List<Session> out = new ArrayList<>();
        sessions.values().forEach(s -> {
            if (s.protocol().equals(protocol)) {
                out.add(s);
            }
        });
        return out;
    }

    public CompletableFuture<Void> subscribe(String protocol, String clientId, Subscription s) {
        return apply(new SessionCommand.Subscribe(protocol, clientId, s));
    }

    public CompletableFuture<Void> unsubscribe(String protocol, String clientId, String filter) {
        return apply(new SessionCommand.Unsubscribe(protocol, clientId, filter));
    }

    public CompletableFuture<Void> discard(String protocol, String clientId) {
        return apply(new SessionCommand.Discard(protocol, clientId));
    }

    /** Applies a change after every change given before; completes once it is durable. */
    public CompletableFuture<Void> apply(SessionCommand command) {
        return owner.submit(() -> {
            String key = key(command.protocol(), command.clientId());
            Session before = sessions.get(key);
            Session after = switch (command) {
                case SessionCommand.Subscribe c -> with(before, c);
                case SessionCommand.Unsubscribe c -> without(before, c.filter());
                case SessionCommand.Discard c -> null;
            };
            if (after == before) {
                return CompletableFuture.completedFuture(null);
            }
            if (after == null) {
                sessions.remove(key);
                return store.delete(prefix + key);
            }
            sessions.put(key, after);
            return store.put(prefix + key, encode(after));
        });
    }

    private static Session with(Session before, SessionCommand.Subscribe c) {
        Map<String, Subscription> subs = new LinkedHashMap<>(before == null ? Map.of() : before.subscriptions());
        subs.put(c.subscription().filter(), c.subscription());
        return new Session(c.protocol(), c.clientId(), subs);
    }

    private static Session without(Session before, String filter) {
        if (before == null || !before.subscriptions().containsKey(filter)) {
            return before;
        }
        Map<String, Subscription> subs = new LinkedHashMap<>(before.subscriptions());
        subs.remove(filter);
        return new Session(before.protocol(), before.clientId(), subs);
    }

    private static String key(String protocol, String clientId) {
        return protocol + "\0" + clientId;
    }

    private static byte[] encode(Session s) {
        CommandWriter w = new CommandWriter(64).putByte(FORMAT).putString(s.protocol()).putString(s.clientId())
                .putVarint(s.subscriptions().size());
        for (Subscription sub : s.subscriptions().values()) {
            w.putString(sub.filter()).putByte((byte) sub.qos())
                    .putByte((byte) ((sub.noLocal() ? NO_LOCAL : 0) | (sub.retainAsPublished() ? RETAIN_AS_PUBLISHED : 0)))
                    .putByte((byte) (sub.group() == null ? 0 : 1));
            if (sub.group() != null) {
                w.putString(sub.group());
            }
        }
        return w.toByteArray();
    }

    private static Session decode(byte[] bytes) {
        CommandReader r = new CommandReader(ByteBuffer.wrap(bytes));
        if (r.getByte() != FORMAT) {
            throw new IllegalStateException("a session is stored in an unknown format");
        }
        String protocol = r.getString();
        String clientId = r.getString();
        int n = r.getVarint();
        Map<String, Subscription> subs = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String filter = r.getString();
            int qos = r.getByte();
            int flags = r.getByte();
            String group = r.getByte() == 0 ? null : r.getString();
            subs.put(filter, new Subscription(filter, qos, (flags & NO_LOCAL) != 0, (flags & RETAIN_AS_PUBLISHED) != 0, group));
        }
        return new Session(protocol, clientId, subs);
    }
}
