package io.wharf.core.auth;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users a broker knows, with their credentials. Every protocol authenticates against it.
 * Passwords are compared in constant time.
 *
 * <p>Thread-safe.
 */
public final class UserStore {

    /** A user and the password that authenticates them. */
    public record Credentials(User user, String password) {
    }

    private final Map<String, Credentials> users = new ConcurrentHashMap<>();

    public UserStore(Iterable<Credentials> initial) {
        for (Credentials c : initial) {
            users.put(c.user().name(), c);
        }
    }

    /**
     * The user, if the password is theirs and they may connect from {@code from}.
     *
     * @param from the client's address, or null if unknown (then loopback-only users are refused)
     */
    public Optional<User> authenticate(String name, String password, InetAddress from) {
        Credentials c = users.get(name);
        if (c == null || password == null) {
            return Optional.empty();
        }
        boolean match = MessageDigest.isEqual(c.password().getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8));
        if (!match) {
            return Optional.empty();
        }
        if (c.user().loopbackOnly() && (from == null || !from.isLoopbackAddress())) {
            return Optional.empty();
        }
        return Optional.of(c.user());
    }

    /**
     * The user a client acts as: the named one if the password is theirs, or, for a client that
     * gives no name (MQTT and STOMP allow it), {@code anonymousUser} if it may connect from
     * {@code from}. Empty if neither applies; an empty {@code anonymousUser} refuses nameless clients.
     */
    public Optional<User> authenticateOrAnonymous(String name, String password, InetAddress from, String anonymousUser) {
        if (name != null) {
            return authenticate(name, password == null ? "" : password, from);
        }
        if (anonymousUser == null || anonymousUser.isEmpty() || loopbackRestriction(anonymousUser, from) != null) {
            return Optional.empty();
        }
        return get(anonymousUser);
    }

    /** Why {@code name} may not log in from {@code from} although the password may be right, or null. */
    public String loopbackRestriction(String name, InetAddress from) {
        Credentials c = users.get(name);
        if (c != null && c.user().loopbackOnly() && (from == null || !from.isLoopbackAddress())) {
            return "user '" + name + "' can only connect via localhost";
        }
        return null;
    }

    public Optional<User> get(String name) {
        return Optional.ofNullable(users.get(name)).map(Credentials::user);
    }
}
