package io.wharf.core.auth;

import io.wharf.core.message.FieldTables;
import io.wharf.core.message.MalformedDataException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Changes to the users as the field tables a cluster's metadata log carries, in the same format
 * as the other metadata commands (a {@code command} field naming the change). A password travels
 * as its salt and hash only. Stateless.
 */
public final class UserCommands {

    private static final Set<String> NAMES = Set.of("put-user", "delete-user", "set-permission");

    private UserCommands() {
    }

    public static byte[] encode(UserStore.Command command) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (command) {
            case UserStore.Put p -> {
                m.put("command", "put-user");
                Map<String, Object> user = UserTables.of(p.user());
                m.put("user", p.password() == null ? user : UserTables.withPassword(user, p.password()));
            }
            case UserStore.Delete d -> {
                m.put("command", "delete-user");
                m.put("name", d.name());
            }
            case UserStore.SetPermission sp -> {
                m.put("command", "set-permission");
                m.put("name", sp.name());
                m.put("vhost", sp.vhost());
                if (sp.permission() != null) {
                    m.put("permission", UserTables.of(sp.permission()));
                }
            }
        }
        return FieldTables.encode(m);
    }

    /** Whether {@code command} names a change to the users. */
    public static boolean names(String command) {
        return NAMES.contains(command);
    }

    /**
     * Reads a table {@link #encode} wrote.
     *
     * @throws MalformedDataException if it is not a change to the users this version knows
     */
    @SuppressWarnings("unchecked")
    public static UserStore.Command decode(Map<String, Object> m) {
        String command = FieldTables.text(m.get("command"));
        try {
            return switch (command) {
                case "put-user" -> {
                    Map<String, Object> user = (Map<String, Object>) m.get("user");
                    yield new UserStore.Put(UserTables.user(user), UserTables.password(user));
                }
                case "delete-user" -> new UserStore.Delete(FieldTables.text(m.get("name")));
                case "set-permission" -> new UserStore.SetPermission(FieldTables.text(m.get("name")), FieldTables.text(m.get("vhost")),
                        m.get("permission") == null ? null : UserTables.permission((Map<String, Object>) m.get("permission")));
                default -> throw new MalformedDataException("unknown change to the users '" + command + "'");
            };
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new MalformedDataException("change to the users '" + command + "' is malformed: " + e.getMessage());
        }
    }
}
