package io.wharf.core;

import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;

import java.util.Map;
import java.util.Set;

/** The users a broker has when nothing else is configured. */
public final class Users {

    private Users() {
    }

    /** RabbitMQ's default: guest/guest, administrator of "/", allowed from loopback addresses only. */
    public static UserStore.Credentials guest() {
        return new UserStore.Credentials(new User("guest", Set.of("administrator"), Map.of("/", Permission.ALL), true), "guest");
    }
}
