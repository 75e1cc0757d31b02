package io.wharf.core.session;

import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;

import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How a client of any protocol becomes a user, and whether that user may use a virtual host. A
 * client logs in with a SASL mechanism (AMQP), with the name and password its protocol carries
 * (MQTT, STOMP), or, giving no name, as its endpoint's anonymous user (MQTT, STOMP and Kafka).
 * Loopback-only users are refused from other addresses, whichever way they log in.
 *
 * <p>Thread-safe: its only state is the mechanisms, an immutable map replaced whole when one is
 * registered; users are read from the {@link UserStore}'s published view.
 */
public final class Authentication {

    private final UserStore users;
    private final AtomicReference<Map<String, SaslMechanism>> mechanisms = new AtomicReference<>(Map.of());

    public Authentication(UserStore users, List<SaslMechanism> initial) {
        this.users = users;
        initial.forEach(this::register);
    }

    /** Offers one more mechanism (or replaces the one of the same name) to clients that log in from now on. */
    public void register(SaslMechanism mechanism) {
        mechanisms.updateAndGet(before -> {
            Map<String, SaslMechanism> next = new LinkedHashMap<>(before);
            next.put(mechanism.name(), mechanism);
            return Collections.unmodifiableMap(next);
        });
    }

    /** PLAIN and AMQPLAIN, as RabbitMQ offers them. */
    public static Authentication withDefaultMechanisms(UserStore users) {
        return new Authentication(users, List.of(new PlainMechanism(), new AmqPlainMechanism()));
    }

    /** The mechanisms' names, in the order clients are offered them. */
    public List<String> mechanisms() {
        return List.copyOf(mechanisms.get().keySet());
    }

    /** Starts a login with {@code mechanism}; empty if there is no such mechanism. */
    public Optional<SaslMechanism.Exchange> start(String mechanism, InetAddress from) {
        return Optional.ofNullable(mechanisms.get().get(mechanism)).map(m -> m.start(this, from));
    }

    /** Logs a user in by name and password from {@code from} (null if unknown: loopback-only users are refused). */
    public Login.Outcome password(String name, String password, InetAddress from) {
        Optional<User> user = users.authenticate(name, password, from);
        if (user.isPresent()) {
            return new Login.Accepted(user.get());
        }
        String loopback = users.loopbackRestriction(name, from);
        return new Login.Refused(name, loopback != null ? loopback : "unknown user or wrong password");
    }

    /**
     * Logs a client in by the name and password it gave or, if it gave no name, as
     * {@code anonymousUser}; an empty {@code anonymousUser} refuses clients without a name.
     */
    public Login.Outcome passwordOrAnonymous(String name, String password, InetAddress from, String anonymousUser) {
        if (name != null) {
            return password(name, password == null ? "" : password, from);
        }
        if (anonymousUser == null || anonymousUser.isEmpty()) {
            return new Login.Refused(null, "no user name given, and the endpoint has no anonymous user");
        }
        String loopback = users.loopbackRestriction(anonymousUser, from);
        if (loopback != null) {
            return new Login.Refused(null, loopback + " (the endpoint's anonymous user)");
        }
        return users.get(anonymousUser).<Login.Outcome>map(Login.Accepted::new)
                .orElseGet(() -> new Login.Refused(null, "the endpoint's anonymous user '" + anonymousUser + "' does not exist"));
    }

    /** Why {@code user} may not use {@code vhost}, or empty if it may. */
    public Optional<String> vhostRefusal(User user, String vhost) {
        return user.canAccess(vhost) ? Optional.empty()
                : Optional.of("access to vhost '" + vhost + "' refused for user '" + user.name() + "'");
    }
}
