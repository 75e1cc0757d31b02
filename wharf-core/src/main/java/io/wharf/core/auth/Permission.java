package io.wharf.core.auth;

import java.util.regex.Pattern;

/**
 * What a user may do in one virtual host, as three regular expressions over resource names, in
 * RabbitMQ's model: {@code configure} (declare, delete), {@code write} (publish to, bind to) and
 * {@code read} (consume from, bind from, purge). A pattern matches anywhere in the name unless
 * anchored; the empty pattern matches no name.
 */
public record Permission(String configure, String write, String read) {

    public static final Permission ALL = new Permission(".*", ".*", ".*");

    /** The kinds of access an operation needs. */
    public enum Access {
        CONFIGURE, WRITE, READ
    }

    public boolean allows(Access access, String resource) {
        String regex = switch (access) {
            case CONFIGURE -> configure;
            case WRITE -> write;
            case READ -> read;
        };
        Pattern p = Patterns.compile(regex);
        return p.matcher(resource).find();
    }

    /** Compiled patterns, shared: permissions are checked on every publish. */
    private static final class Patterns {
        private static final java.util.concurrent.ConcurrentHashMap<String, Pattern> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        static Pattern compile(String regex) {
            return CACHE.computeIfAbsent(regex, r -> Pattern.compile(r.isEmpty() ? "^$" : r));
        }
    }
}
