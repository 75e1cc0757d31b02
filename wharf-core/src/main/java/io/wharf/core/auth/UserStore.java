package io.wharf.core.auth;

import io.wharf.core.BrokerException;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.concurrent.Sequencer;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.WireReader;
import io.wharf.storage.metadata.MetadataStore;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The users a broker knows, with their credentials. Every protocol authenticates against it.
 *
 * <p>Passwords are kept as salted SHA-256 hashes (as RabbitMQ keeps them) and compared in
 * constant time. Users added or changed at run time ({@link #put}) are stored in the metadata
 * store and come back after a restart; the configured users are applied over them at every start.
 *
 * <p>Thread-safe. Changes are {@link Command} records applied one after another, each once the
 * one before it is stored, so two changes to one user never interleave; the random salt of a new
 * password is drawn before its command is made. On a node of a cluster each change is proposed to
 * the cluster and applied on every node once committed, by an apply lane of its own. Lookups read
 * the published state from any thread.
 */
public final class UserStore {

    /** A user and the password that authenticates them. */
    public record Credentials(User user, String password) {
    }

    /**
     * A password as it is kept: a random salt and the SHA-256 of salt and password. The salt is
     * drawn when the hash is made, before the command that carries it, so applying a command
     * again gives the same stored user.
     */
    public record PasswordHash(byte[] salt, byte[] hash) {

        /** Matches no password. */
        static final PasswordHash NONE = new PasswordHash(new byte[0], new byte[0]);

        /** A hash of {@code password} with a fresh random salt. */
        public static PasswordHash of(String password) {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            return new PasswordHash(salt, digest(salt, password));
        }

        boolean matches(String password) {
            return hash.length > 0 && MessageDigest.isEqual(hash, digest(salt, password));
        }
    }

    /** A change to the users. */
    public sealed interface Command {
    }

    /** Adds or replaces a user; a null password keeps the current one. */
    public record Put(User user, PasswordHash password) implements Command {
    }

    /** Removes a user. */
    public record Delete(String name) implements Command {
    }

    /** Sets, or with a null permission revokes, what a user may do in a vhost. */
    public record SetPermission(String name, String vhost, Permission permission) implements Command {
    }

    private record Stored(User user, PasswordHash password) {
    }

    private static final String PREFIX = "user\0";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Stored> users = new ConcurrentHashMap<>();
    private final MetadataStore store;
    private final Sequencer changes;
    private final Sequencer applyLane;
    private volatile Cluster cluster;

    /** Users kept in memory only; changes run on the calling thread. */
    public UserStore(Iterable<Credentials> initial) {
        this(initial, null, Runnable::run);
    }

    /**
     * The users saved in {@code store}, then {@code configured} over them: a configured user keeps
     * the permissions granted at run time in vhosts its configuration does not name.
     *
     * @param pool runs the store's changes, one at a time
     */
    public UserStore(Iterable<Credentials> configured, MetadataStore store, Executor pool) {
        this.store = store;
        this.changes = new Sequencer(pool);
        this.applyLane = new Sequencer(pool);
        if (store != null) {
            for (byte[] v : store.scan(PREFIX).values()) {
                Stored s = decode(v);
                users.put(s.user().name(), s);
            }
        }
        for (Credentials c : configured) {
            User u = c.user();
            Stored before = users.get(u.name());
            if (before != null) {
                // Permissions granted at run time in vhosts the configuration does not name stay.
                Map<String, Permission> merged = new HashMap<>(before.user().permissions());
                merged.putAll(u.permissions());
                u = new User(u.name(), u.tags(), merged, u.loopbackOnly());
            }
            users.put(u.name(), new Stored(u, PasswordHash.of(c.password())));
        }
    }

    /**
     * The user, if the password is theirs and they may connect from {@code from}.
     *
     * @param from the client's address, or null if unknown (then loopback-only users are refused)
     */
    public Optional<User> authenticate(String name, String password, InetAddress from) {
        Stored s = users.get(name);
        if (s == null || password == null) {
            return Optional.empty();
        }
        if (!s.password().matches(password)) {
            return Optional.empty();
        }
        if (s.user().loopbackOnly() && (from == null || !from.isLoopbackAddress())) {
            return Optional.empty();
        }
        return Optional.of(s.user());
    }

    /** Why {@code name} may not log in from {@code from} although the password may be right, or null. */
    public String loopbackRestriction(String name, InetAddress from) {
        Stored s = users.get(name);
        if (s != null && s.user().loopbackOnly() && (from == null || !from.isLoopbackAddress())) {
            return "user '" + name + "' can only connect via localhost";
        }
        return null;
    }

    public Optional<User> get(String name) {
        return Optional.ofNullable(users.get(name)).map(Stored::user);
    }

    /** Every user, by name. */
    public List<User> list() {
        List<User> out = new ArrayList<>(users.values().stream().map(Stored::user).toList());
        out.sort(Comparator.comparing(User::name));
        return out;
    }

    /**
     * Adds or replaces a user; a null password keeps the current one (a user that does not exist
     * yet then cannot log in until given one). Completes with whether the user is new, once stored.
     */
    public CompletableFuture<Boolean> put(User user, String password) {
        return apply(new Put(user, password == null ? null : PasswordHash.of(password)));
    }

    /** Removes a user; completes with whether there was one. Open connections of the user stay open. */
    public CompletableFuture<Boolean> delete(String name) {
        return apply(new Delete(name));
    }

    /** Sets (or, with a null permission, revokes) what a user may do in a vhost; completes with whether the user had none there. */
    public CompletableFuture<Boolean> setPermission(String name, String vhost, Permission permission) {
        return apply(new SetPermission(name, vhost, permission));
    }

    /**
     * Applies a change after every change given before, once those are stored. Completes with
     * whether the user was new ({@link Put}), existed ({@link Delete}), or had no permission in the
     * vhost ({@link SetPermission}, which fails with {@code NOT_FOUND} for an unknown user).
     */
    public CompletableFuture<Boolean> apply(Command command) {
        Cluster c = cluster;
        if (c == null) {
            return changes.submit(() -> applyHere(command));
        }
        return changes.submit(() -> {
            // Answered as this node sees the user before the change; another node's change may land between.
            boolean answer = switch (command) {
                case Put p -> !users.containsKey(p.user().name());
                case Delete d -> users.containsKey(d.name());
                case SetPermission sp -> {
                    Stored s = users.get(sp.name());
                    if (s == null) {
                        throw BrokerException.notFound("no user '" + sp.name() + "'");
                    }
                    yield s.user().permission(sp.vhost()).isEmpty();
                }
            };
            return c.proposeMetadata(UserCommands.encode(command)).thenApply(v -> answer);
        });
    }

    /**
     * From now on, changes are proposed to {@code cluster} and made on every node once it commits
     * them; see {@link #applyCommitted}.
     */
    public void replicateThrough(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Applies a change the cluster committed (decided here or on another node). A permission for
     * a user deleted meanwhile changes nothing.
     */
    public CompletableFuture<Void> applyCommitted(Command command) {
        return applyLane.submit(() -> command instanceof SetPermission sp && !users.containsKey(sp.name())
                ? CompletableFuture.completedFuture(null) : applyHere(command).thenApply(v -> null));
    }

    private CompletableFuture<Boolean> applyHere(Command command) {
        return switch (command) {
            case Put p -> {
                Stored old = users.get(p.user().name());
                PasswordHash hash = p.password() != null ? p.password()
                        : old != null ? old.password() : PasswordHash.NONE;
                Stored s = new Stored(p.user(), hash);
                users.put(p.user().name(), s);
                yield save(s).thenApply(v -> old == null);
            }
            case Delete d -> {
                Stored old = users.remove(d.name());
                if (old == null) {
                    yield CompletableFuture.completedFuture(false);
                }
                yield (store == null ? CompletableFuture.<Void>completedFuture(null) : store.delete(PREFIX + d.name()))
                        .thenApply(v -> true);
            }
            case SetPermission sp -> {
                Stored s = users.get(sp.name());
                if (s == null) {
                    yield CompletableFuture.failedFuture(BrokerException.notFound("no user '" + sp.name() + "'"));
                }
                Map<String, Permission> perms = new LinkedHashMap<>(s.user().permissions());
                boolean fresh = sp.permission() == null ? perms.remove(sp.vhost()) == null
                        : perms.put(sp.vhost(), sp.permission()) == null;
                Stored updated = new Stored(new User(s.user().name(), s.user().tags(), perms, s.user().loopbackOnly()),
                        s.password());
                users.put(sp.name(), updated);
                yield save(updated).thenApply(v -> fresh);
            }
        };
    }

    private CompletableFuture<Void> save(Stored s) {
        return store == null ? CompletableFuture.completedFuture(null) : store.put(PREFIX + s.user().name(), encode(s));
    }

    private static byte[] digest(byte[] salt, String password) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(salt);
            return d.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] encode(Stored s) {
        return FieldTables.encode(UserTables.withPassword(UserTables.of(s.user()), s.password()));
    }

    private static Stored decode(byte[] v) {
        Map<String, Object> m = FieldTables.read(new WireReader(ByteBuffer.wrap(v)));
        return new Stored(UserTables.user(m), UserTables.password(m));
    }
}
