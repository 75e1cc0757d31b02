package io.wharf.management.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.JsonBody;
import io.wharf.management.http.Router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

import static io.wharf.management.http.Router.Level.ADMINISTRATOR;
import static io.wharf.management.http.Router.Level.MANAGEMENT;

/** {@code /api/users}, {@code /api/permissions} and {@code /api/whoami}. */
final class UserRoutes {

    private final Views views;
    private final UserStore users;

    UserRoutes(Views views) {
        this.views = views;
        this.users = views.broker().users();
    }

    void register(Router r) {
        r.get("/api/whoami", MANAGEMENT, req -> ApiResponse.ok(view(req.user())))
                .get("/api/users", ADMINISTRATOR, req -> ApiResponse.ok(users.list().stream().map(UserRoutes::view).toList()))
                .get("/api/users/{name}", ADMINISTRATOR, req -> ApiResponse.ok(view(user(req.path("name")))))
                .put("/api/users/{name}", ADMINISTRATOR, this::putUser)
                .delete("/api/users/{name}", ADMINISTRATOR, this::deleteUser)
                .get("/api/users/{name}/permissions", ADMINISTRATOR, req -> ApiResponse.ok(permissions(user(req.path("name")))))
                .get("/api/permissions", ADMINISTRATOR, req -> {
                    List<Map<String, Object>> out = new ArrayList<>();
                    users.list().forEach(u -> out.addAll(permissions(u)));
                    return ApiResponse.ok(out);
                })
                .get("/api/permissions/{vhost}/{user}", ADMINISTRATOR, this::getPermission)
                .put("/api/permissions/{vhost}/{user}", ADMINISTRATOR, this::putPermission)
                .delete("/api/permissions/{vhost}/{user}", ADMINISTRATOR, this::deletePermission);
    }

    private User user(String name) {
        return users.get(name).orElseThrow(() -> ApiException.notFound("no user '" + name + "'"));
    }

    private static Map<String, Object> view(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("tags", u.tags().stream().sorted().toList());
        m.put("loopback_only", u.loopbackOnly());
        return m;
    }

    private static List<Map<String, Object>> permissions(User u) {
        return u.permissions().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> permission(u.name(), e.getKey(), e.getValue())).toList();
    }

    private static Map<String, Object> permission(String user, String vhost, Permission p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("vhost", vhost);
        m.put("configure", p.configure());
        m.put("write", p.write());
        m.put("read", p.read());
        return m;
    }

    private ApiResponse putUser(ApiRequest r) {
        String name = r.path("name");
        Names.check("user", name);
        JsonBody body = r.body(Set.of("password", "tags", "loopback_only"));
        User existing = users.get(name).orElse(null);
        String password = body.string("password", null);
        if (existing == null && password == null) {
            throw ApiException.badRequest("password", "a new user needs a 'password'");
        }
        Set<String> tags = body.has("tags") ? tags(body.node("tags")) : existing == null ? Set.of() : existing.tags();
        boolean loopbackOnly = body.bool("loopback_only", existing != null && existing.loopbackOnly());
        User u = new User(name, tags, existing == null ? Map.of() : existing.permissions(), loopbackOnly);
        return ApiResponse.createdOrUpdated(Views.await(users.put(u, password)));
    }

    /** Tags as RabbitMQ takes them: a comma-separated string, or a list. */
    private static Set<String> tags(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        if (node.isTextual()) {
            for (String t : node.textValue().split(",")) {
                if (!t.isBlank()) {
                    out.add(t.trim());
                }
            }
        } else if (node.isArray()) {
            for (JsonNode t : node) {
                if (!t.isTextual()) {
                    throw ApiException.badRequest("tags", "'tags' must be strings");
                }
                out.add(t.textValue().trim());
            }
        } else {
            throw ApiException.badRequest("tags", "'tags' must be a comma-separated string or a list of strings");
        }
        return out;
    }

    private ApiResponse deleteUser(ApiRequest r) {
        String name = r.path("name");
        user(name);
        if (name.equals(r.user().name())) {
            throw ApiException.conflict("a user cannot delete themselves");
        }
        Views.await(users.delete(name));
        return ApiResponse.noContent();
    }

    private VirtualHost vhost(ApiRequest r) {
        return views.vhost(r);
    }

    private ApiResponse getPermission(ApiRequest r) {
        VirtualHost v = vhost(r);
        User u = user(r.path("user"));
        Permission p = u.permission(v.name()).orElseThrow(() ->
                ApiException.notFound("user '" + u.name() + "' has no permissions in vhost '" + v.name() + "'"));
        return ApiResponse.ok(permission(u.name(), v.name(), p));
    }

    private ApiResponse putPermission(ApiRequest r) {
        VirtualHost v = vhost(r);
        User u = user(r.path("user"));
        JsonBody body = r.body(Set.of("configure", "write", "read"));
        Permission p = new Permission(regex(body, "configure"), regex(body, "write"), regex(body, "read"));
        return ApiResponse.createdOrUpdated(Views.await(users.setPermission(u.name(), v.name(), p)));
    }

    private static String regex(JsonBody body, String field) {
        String re = body.requiredString(field);
        try {
            java.util.regex.Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw ApiException.badRequest(field, "'" + field + "' is not a valid regular expression: " + e.getDescription());
        }
        return re;
    }

    private ApiResponse deletePermission(ApiRequest r) {
        VirtualHost v = vhost(r);
        User u = user(r.path("user"));
        if (u.permission(v.name()).isEmpty()) {
            throw ApiException.notFound("user '" + u.name() + "' has no permissions in vhost '" + v.name() + "'");
        }
        Views.await(users.setPermission(u.name(), v.name(), null));
        return ApiResponse.noContent();
    }
}
