package io.wharf.core.auth;

import io.wharf.core.BrokerException;

import java.util.Map;
import java.util.Set;

/**
 * Who asks the broker to do something: an authenticated user on one connection. Exclusive queues
 * belong to the connection; permission checks use the user.
 *
 * @param user       the authenticated user
 * @param connection identifies the connection (any object unique to it)
 * @param name       how the connection is described in messages and logs
 */
public record Client(User user, Object connection, String name) {

    /**
     * The broker acting on its own behalf in one virtual host (applying its configuration,
     * moving data it stored): every permission there, no connection of a client.
     *
     * @param who what is acting, as permission errors and logs name it
     */
    public static Client broker(String vhost, String who) {
        return new Client(new User(who, Set.of(), Map.of(vhost, Permission.ALL), false), new Object(), who);
    }

    /**
     * @throws BrokerException ACCESS_REFUSED, worded as RabbitMQ words it
     */
    public void check(String vhost, Permission.Access access, String kind, String resource) {
        if (!allows(vhost, access, resource)) {
            throw BrokerException.accessRefused("access to " + kind + " '" + resource + "' in vhost '" + vhost
                    + "' refused for user '" + user.name() + "'");
        }
    }

    /** Whether the user may have {@code access} to {@code resource} in {@code vhost}. */
    public boolean allows(String vhost, Permission.Access access, String resource) {
        Permission p = user.permission(vhost).orElse(null);
        return p != null && p.allows(access, resource);
    }
}
