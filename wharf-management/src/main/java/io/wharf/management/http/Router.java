package io.wharf.management.http;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API's routes: a method and a path pattern such as {@code /api/queues/{vhost}/{name}},
 * where each {@code {part}} matches one percent-decoded path segment.
 */
public final class Router {

    /** Who may call a route. */
    public enum Level {
        /** No credentials needed. */
        OPEN,
        /** Any user with a management tag; vhost permissions are checked by the route. */
        MANAGEMENT,
        /** Only users tagged administrator. */
        ADMINISTRATOR
    }

    /** Answers one request. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request);
    }

    /** A route as registered. */
    public record Route(String method, String pattern, Level level, Handler handler, String[] segments) {
    }

    /** The route that matched and the path's named parts. */
    public record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router get(String pattern, Level level, Handler h) {
        return add("GET", pattern, level, h);
    }

    public Router put(String pattern, Level level, Handler h) {
        return add("PUT", pattern, level, h);
    }

    public Router post(String pattern, Level level, Handler h) {
        return add("POST", pattern, level, h);
    }

    public Router delete(String pattern, Level level, Handler h) {
        return add("DELETE", pattern, level, h);
    }

    private Router add(String method, String pattern, Level level, Handler h) {
        routes.add(new Route(method, pattern, level, h, pattern.substring(1).split("/", -1)));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for {@code method} and the raw (still encoded) {@code path}.
     *
     * @throws ApiException 405 naming the allowed methods if only other methods match the path
     */
    public Optional<Match> match(String method, String rawPath) {
        String[] raw = rawPath.length() <= 1 ? new String[] {""} : rawPath.substring(1).split("/", -1);
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            try {
                decoded[i] = QueryStringDecoder.decodeComponent(raw[i].replace("+", "%2B"));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(null, "the path has an invalid percent-encoding: " + raw[i]);
            }
        }
        Set<String> allowed = new LinkedHashSet<>();
        String lookup = "HEAD".equals(method) ? "GET" : method;
        for (Route r : routes) {
            Map<String, String> params = params(r.segments(), decoded);
            if (params == null) {
                continue;
            }
            if (r.method().equals(lookup)) {
                return Optional.of(new Match(r, params));
            }
            allowed.add(r.method());
        }
        if (!allowed.isEmpty()) {
            throw new MethodNotAllowed(allowed);
        }
        return Optional.empty();
    }

    private static Map<String, String> params(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    /** The path exists, but not for the request's method. */
    public static final class MethodNotAllowed extends RuntimeException {
        private final Set<String> allowed;

        MethodNotAllowed(Set<String> allowed) {
            super("method not allowed; allowed: " + allowed, null, false, false);
            this.allowed = Set.copyOf(allowed);
        }

        public Set<String> allowed() {
            return allowed;
        }
    }
}
