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

    @Test
    void shouldReachTheSameUsersFromTheSameCommands() throws Exception {
        List<UserStore.Command> commands = List.of(
                new UserStore.Put(new User("ops", Set.of("administrator"), Map.of(), false), UserStore.PasswordHash.of("s3cret")),
                new UserStore.SetPermission("ops", "/", new Permission(".*", ".*", ".*")),
                new UserStore.Put(new User("ops", Set.of("monitoring"), Map.of("/", new Permission(".*", ".*", ".*")), false), null),
                new UserStore.Put(new User("gone", Set.of(), Map.of(), false), UserStore.PasswordHash.of("x")),
                new UserStore.Delete("gone"),
                new UserStore.SetPermission("app", "/", null));
        UserStore one = new UserStore(List.of());
        UserStore two = new UserStore(List.of());
        for (UserStore store : List.of(one, two)) {
            store.apply(new UserStore.Put(users.get("app").orElseThrow(), UserStore.PasswordHash.of("pw"))).get();
            for (UserStore.Command c : commands) {
                store.apply(c).get();
            }
        }

        assertThat(one.list()).isEqualTo(two.list());
        assertThat(one.list()).extracting(User::name).containsExactly("app", "ops");
        assertThat(one.get("ops").orElseThrow().tags()).containsExactly("monitoring");
        assertThat(one.get("app").orElseThrow().permissions()).isEmpty();
        InetAddress local = InetAddress.getLoopbackAddress();
        assertThat(two.authenticate("ops", "s3cret", local)).isPresent();
        assertThat(two.authenticate("gone", "x", local)).isEmpty();
    }

    @Test
    void shouldRefuseAPermissionForAnUnknownUserAndLoginsForAUserWithoutPassword() throws Exception {
        assertThatThrownBy(() -> users.apply(new UserStore.SetPermission("nobody", "/", null)).get())
                .hasCauseInstanceOf(BrokerException.class);
        assertThat(users.put(new User("nopw", Set.of(), Map.of(), false), null).get()).isTrue();
        assertThat(users.authenticate("nopw", "", InetAddress.getLoopbackAddress())).isEmpty();
    }
}
