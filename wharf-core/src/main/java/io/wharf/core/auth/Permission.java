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
        return Patterns.find(regex, resource);
    }

    /**
     * Compiled patterns and their answers, shared: permissions are checked on every publish,
     * almost always against the same few exchange names.
     */
    private static final class Patterns {
        private static final int MAX_ANSWERS = 10_000;
        private static final java.util.concurrent.ConcurrentHashMap<String, Compiled> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        private record Compiled(Pattern pattern, java.util.concurrent.ConcurrentHashMap<String, Boolean> answers) {
        }

        static boolean find(String regex, String resource) {
            Compiled c = CACHE.computeIfAbsent(regex, r -> new Compiled(Pattern.compile(r.isEmpty() ? "^$" : r),
                    new java.util.concurrent.ConcurrentHashMap<>()));
            Boolean known = c.answers().get(resource);
            if (known != null) {
                return known;
            }
            boolean found = c.pattern().matcher(resource).find();
            if (c.answers().size() < MAX_ANSWERS) {
                c.answers().put(resource, found);
            }
            return found;
        }
    }
}
