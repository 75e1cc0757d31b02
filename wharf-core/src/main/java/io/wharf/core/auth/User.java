package io.wharf.core.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A broker user: a name, tags (such as {@code administrator}) and permissions per virtual host.
 *
 * @param name          the user name
 * @param tags          management tags
 * @param permissions   what the user may do, by virtual host; a vhost not listed is not accessible
 * @param loopbackOnly  whether the user may connect only from a loopback address (as RabbitMQ's guest)
 */
public record User(String name, Set<String> tags, Map<String, Permission> permissions, boolean loopbackOnly) {

    public User {
        tags = Set.copyOf(tags);
        permissions = Map.copyOf(permissions);
    }

    public Optional<Permission> permission(String vhost) {
        return Optional.ofNullable(permissions.get(vhost));
    }

    public boolean canAccess(String vhost) {
        return permissions.containsKey(vhost);
    }
}
