package io.wharf.management.http;

import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/** HTTP basic authentication against the broker's users, with RabbitMQ's management tags. */
public final class BasicAuth {

    /** Tags that let a user into the management API at all. */
    static final Set<String> MANAGEMENT_TAGS = Set.of("administrator", "monitoring", "policymaker", "management");

    private final UserStore users;

    public BasicAuth(UserStore users) {
        this.users = users;
    }

    /**
     * The user the {@code Authorization} header names, if they may use the API at {@code level}.
     *
     * @throws ApiException 401 without valid credentials, 403 without the needed tag
     */
    public User authenticate(String authorization, InetAddress from, Router.Level level) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw ApiException.unauthorised("credentials are required (HTTP basic authentication)");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.unauthorised("the Authorization header is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw ApiException.unauthorised("the Authorization header has no user:password");
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String restriction = users.loopbackRestriction(name, from);
        User user = users.authenticate(name, password, from).orElseThrow(() -> ApiException.unauthorised(
                restriction != null ? restriction : "login failed for user '" + name + "'"));
        if (user.tags().stream().noneMatch(MANAGEMENT_TAGS::contains)) {
            throw ApiException.accessRefused("user '" + name + "' has no management tag (administrator, monitoring or management)");
        }
        if (level == Router.Level.ADMINISTRATOR && !isAdministrator(user)) {
            throw ApiException.accessRefused("only administrators may do this; user '" + name + "' is not tagged administrator");
        }
        return user;
    }

    public static boolean isAdministrator(User user) {
        return user.tags().contains("administrator");
    }

    /** Whether the user sees every vhost's objects, not only those they have permissions in. */
    public static boolean seesEverything(User user) {
        return user.tags().contains("administrator") || user.tags().contains("monitoring");
    }
}
