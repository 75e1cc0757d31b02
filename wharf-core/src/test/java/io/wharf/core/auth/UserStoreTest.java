package io.wharf.core.auth;

import io.wharf.core.BrokerException;
import io.wharf.core.Users;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserStoreTest {

    private final UserStore users = new UserStore(List.of(Users.guest(),
            new UserStore.Credentials(new User("app", Set.of(), Map.of("/", new Permission("^app\\.", "^app\\.", "")), false), "pw")));

    @Test
    void shouldLetGuestInFromLoopbackOnly() throws Exception {
        assertThat(users.authenticate("guest", "guest", InetAddress.getByName("127.0.0.1"))).isPresent();
        assertThat(users.authenticate("guest", "guest", InetAddress.getByName("::1"))).isPresent();
        assertThat(users.authenticate("guest", "guest", InetAddress.getByName("10.1.2.3"))).isEmpty();
        assertThat(users.loopbackRestriction("guest", InetAddress.getByName("10.1.2.3"))).contains("only connect via localhost");
        assertThat(users.authenticate("app", "pw", InetAddress.getByName("10.1.2.3"))).isPresent();
    }

    @Test
    void shouldRefuseWrongPasswordsAndUnknownUsers() throws Exception {
        InetAddress local = InetAddress.getLoopbackAddress();
        assertThat(users.authenticate("guest", "wrong", local)).isEmpty();
        assertThat(users.authenticate("nobody", "guest", local)).isEmpty();
        assertThat(users.authenticate("guest", null, local)).isEmpty();
    }

    @Test
    void shouldMatchPermissionPatternsAnywhereAndTheEmptyPatternNowhere() {
        Client app = new Client(users.get("app").orElseThrow(), new Object(), "c");

        app.check("/", Permission.Access.CONFIGURE, "queue", "app.q");
        assertThatThrownBy(() -> app.check("/", Permission.Access.CONFIGURE, "queue", "other.q"))
                .isInstanceOf(BrokerException.class).hasMessage("access to queue 'other.q' in vhost '/' refused for user 'app'");
        assertThatThrownBy(() -> app.check("/", Permission.Access.READ, "queue", "app.q")).isInstanceOf(BrokerException.class);
        assertThatThrownBy(() -> app.check("/other", Permission.Access.WRITE, "exchange", "app.x")).isInstanceOf(BrokerException.class);
    }
}
