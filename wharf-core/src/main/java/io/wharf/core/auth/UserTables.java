package io.wharf.core.auth;

import io.wharf.core.message.FieldTables;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users and password hashes as field tables: the form the user store keeps them in, and the form
 * the changes to them travel in between a cluster's nodes. A password is only ever its salt and
 * hash. Stateless.
 */
public final class UserTables {

    private UserTables() {
    }

    /** A user's fields: name, tags, whether loopback only, permissions by vhost. */
    public static Map<String, Object> of(User user) {
        Map<String, Object> perms = new LinkedHashMap<>();
        user.permissions().forEach((vhost, p) -> perms.put(vhost, of(p)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", user.name());
        m.put("tags", String.join(",", new TreeSet<>(user.tags())));
        m.put("loopback_only", user.loopbackOnly());
        m.put("permissions", perms);
        return m;
    }

    /** Adds a password's salt and hash to {@code m}. */
    public static Map<String, Object> withPassword(Map<String, Object> m, UserStore.PasswordHash password) {
        m.put("salt", password.salt());
        m.put("hash", password.hash());
        return m;
    }

    @SuppressWarnings("unchecked")
    public static User user(Map<String, Object> m) {
        Map<String, Permission> perms = new LinkedHashMap<>();
        ((Map<String, Object>) m.get("permissions")).forEach((vhost, p) -> perms.put(vhost, permission((Map<String, Object>) p)));
        String tags = FieldTables.text(m.get("tags"));
        return new User(FieldTables.text(m.get("name")), tags.isEmpty() ? Set.of() : Set.of(tags.split(",")), perms,
                Boolean.TRUE.equals(m.get("loopback_only")));
    }

    /** The password {@link #withPassword} added, or null if there is none. */
    public static UserStore.PasswordHash password(Map<String, Object> m) {
        return m.get("salt") instanceof byte[] salt && m.get("hash") instanceof byte[] hash
                ? new UserStore.PasswordHash(salt, hash) : null;
    }

    public static Map<String, Object> of(Permission p) {
        return Map.of("configure", p.configure(), "write", p.write(), "read", p.read());
    }

    public static Permission permission(Map<String, Object> m) {
        return new Permission(FieldTables.text(m.get("configure")), FieldTables.text(m.get("write")),
                FieldTables.text(m.get("read")));
    }
}
