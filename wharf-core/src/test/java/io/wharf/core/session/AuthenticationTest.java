package io.wharf.core.session;

import io.wharf.core.Users;
import io.wharf.core.auth.Permission;
import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticationTest {

    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    private final Authentication auth = Authentication.withDefaultMechanisms(new UserStore(List.of(Users.guest(),
            new UserStore.Credentials(new User("app", Set.of(), Map.of("orders", new Permission(".*", ".*", ".*")), false), "pw"))));

    @Test
    void shouldOfferPlainAndAmqplainAsRabbitMqDoes() {
        assertThat(auth.mechanisms()).containsExactly("PLAIN", "AMQPLAIN");
        assertThat(auth.start("CRAM-MD5", LOCAL)).isEmpty();
    }

    @Test
    void shouldLogInWithPlainWithOrWithoutAnAuthorizationId() {
        assertThat(plain("\0app\0pw", LOCAL)).isInstanceOfSatisfying(Login.Accepted.class,
                a -> assertThat(a.user().name()).isEqualTo("app"));
        assertThat(plain("someone\0app\0pw", LOCAL)).isInstanceOf(Login.Accepted.class);
        assertThat(plain("\0app\0wrong", LOCAL)).isInstanceOfSatisfying(Login.Refused.class,
                r -> assertThat(r.login()).isEqualTo("app"));
        assertThat(plain("app pw", LOCAL)).isInstanceOfSatisfying(Login.Refused.class,
                r -> assertThat(r.reason()).contains("malformed PLAIN"));
    }

    @Test
    void shouldLogInWithAmqplain() throws IOException {
        Login ok = auth.start("AMQPLAIN", LOCAL).orElseThrow().respond(amqplain("app", "pw"));
        Login wrong = auth.start("AMQPLAIN", LOCAL).orElseThrow().respond(amqplain("app", "nope"));
        Login garbage = auth.start("AMQPLAIN", LOCAL).orElseThrow().respond(new byte[] {5, 'L', 'O'});

        assertThat(ok).isInstanceOf(Login.Accepted.class);
        assertThat(wrong).isInstanceOf(Login.Refused.class);
        assertThat(garbage).isInstanceOfSatisfying(Login.Refused.class, r -> assertThat(r.reason()).contains("malformed AMQPLAIN"));
    }

    @Test
    void shouldRefuseALoopbackOnlyUserFromElsewhereWhicheverWayItLogsIn() throws Exception {
        InetAddress remote = InetAddress.getByName("192.0.2.7");

        assertThat(plain("\0guest\0guest", remote)).isInstanceOfSatisfying(Login.Refused.class,
                r -> assertThat(r.reason()).contains("only connect via localhost"));
        assertThat(auth.passwordOrAnonymous(null, null, remote, "guest")).isInstanceOfSatisfying(Login.Refused.class,
                r -> assertThat(r.reason()).contains("only connect via localhost").contains("anonymous"));
        assertThat(auth.passwordOrAnonymous(null, null, LOCAL, "guest")).isInstanceOf(Login.Accepted.class);
    }

    @Test
    void shouldRefuseClientsWithoutANameWhenTheEndpointHasNoAnonymousUser() {
        assertThat(auth.passwordOrAnonymous(null, null, LOCAL, "")).isInstanceOf(Login.Refused.class);
        assertThat(auth.passwordOrAnonymous(null, null, LOCAL, "ghost")).isInstanceOfSatisfying(Login.Refused.class,
                r -> assertThat(r.reason()).contains("'ghost' does not exist"));
        // A name without a password is a wrong password, not an anonymous login.
        assertThat(auth.passwordOrAnonymous("app", null, LOCAL, "guest")).isInstanceOf(Login.Refused.class);
    }

    @Test
    void shouldSayWhyAUserMayNotUseAVirtualHost() {
        User app = ((Login.Accepted) auth.password("app", "pw", LOCAL)).user();

        assertThat(auth.vhostRefusal(app, "orders")).isEmpty();
        assertThat(auth.vhostRefusal(app, "/")).hasValueSatisfying(r -> assertThat(r).contains("vhost '/'").contains("'app'"));
    }

    @Test
    void shouldTakeMechanismsAsPlugIns() {
        auth.register(new SaslMechanism() {
            @Override
            public String name() {
                return "ECHO";
            }

            @Override
            public Exchange start(Authentication authentication, InetAddress from) {
                return response -> new String(response, StandardCharsets.UTF_8).equals("app")
                        ? authentication.password("app", "pw", from) : new Login.Challenge("who?".getBytes(StandardCharsets.UTF_8));
            }
        });

        SaslMechanism.Exchange e = auth.start("ECHO", LOCAL).orElseThrow();

        assertThat(auth.mechanisms()).containsExactly("PLAIN", "AMQPLAIN", "ECHO");
        assertThat(e.respond(new byte[0])).isInstanceOf(Login.Challenge.class);
        assertThat(e.respond("app".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Login.Accepted.class);
    }

    private Login plain(String response, InetAddress from) {
        return auth.start("PLAIN", from).orElseThrow().respond(response.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] amqplain(String login, String password) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (String[] kv : new String[][] {{"LOGIN", login}, {"PASSWORD", password}}) {
            byte[] k = kv[0].getBytes(StandardCharsets.UTF_8);
            byte[] v = kv[1].getBytes(StandardCharsets.UTF_8);
            out.writeByte(k.length);
            out.write(k);
            out.writeByte('S');
            out.writeInt(v.length);
            out.write(v);
        }
        return bytes.toByteArray();
    }
}
