package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.SaslConfig;
import com.rabbitmq.client.SaslMechanism;
import com.rabbitmq.client.impl.LongStringHelper;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ConnectionTest extends AmqpTestSupport {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension()
            .with("vhosts", "[/, orders, empty]")
            .with("users", "[{name: guest, password: guest, loopback-only: true, permissions: {/: {configure: '.*', write: '.*', read: '.*'}}},"
                    + " {name: alice, password: wonderland, tags: [monitoring], permissions: {orders: {configure: '^alice\\.', write: '.*', read: '.*'}}}]")
            .with("amqp.heartbeat", "1s");

    @Override
    WharfExtension wharf() {
        return wharf;
    }

    @Test
    void shouldAnnounceTheCapabilitiesOfRabbitMq() throws Exception {
        Connection c = connect();

        Map<String, Object> props = c.getServerProperties();
        assertThat(props.get("product").toString()).isEqualTo("Wharf");
        @SuppressWarnings("unchecked")
        Map<String, Object> caps = (Map<String, Object>) props.get("capabilities");
        assertThat(caps).containsEntry("publisher_confirms", true).containsEntry("exchange_exchange_bindings", true)
                .containsEntry("basic.nack", true).containsEntry("consumer_cancel_notify", true)
                .containsEntry("per_consumer_qos", true).containsEntry("direct_reply_to", true)
                .containsEntry("connection.blocked", true).containsEntry("authentication_failure_close", true);
    }

    @Test
    void shouldRefuseAWrongPassword() {
        ConnectionFactory f = factory();
        f.setPassword("nope");

        assertThatThrownBy(() -> connect(f)).isInstanceOf(AuthenticationFailureException.class)
                .hasMessageContaining("ACCESS_REFUSED");
    }

    @Test
    void shouldAuthenticateWithAmqplain() throws Exception {
        ConnectionFactory f = factory();
        f.setUsername("alice");
        f.setPassword("wonderland");
        f.setVirtualHost("orders");
        f.setSaslConfig(new AmqPlain());

        Connection c = connect(f);

        assertThat(c.isOpen()).isTrue();
        assertThatThrownBy(() -> {
            ConnectionFactory bad = factory();
            bad.setUsername("alice");
            bad.setPassword("looking-glass");
            bad.setSaslConfig(new AmqPlain());
            connect(bad);
        }).isInstanceOf(AuthenticationFailureException.class);
    }

    /**
     * A mechanism that takes more than one step: the broker answers start-ok with
     * connection.secure, and the client's secure-ok carries the next response.
     */
    @Test
    void shouldRunAMechanismThatChallengesTheClientThroughSecureAndSecureOk() throws Exception {
        wharf.server().broker().authentication().register(new io.wharf.core.session.SaslMechanism() {
            @Override
            public String name() {
                return "WHARF-TEST-STEPS";
            }

            @Override
            public Exchange start(io.wharf.core.session.Authentication authentication, java.net.InetAddress from) {
                String[] login = new String[1];
                return response -> {
                    if (login[0] == null) {
                        login[0] = new String(response, StandardCharsets.UTF_8);
                        return new io.wharf.core.session.Login.Challenge("password?".getBytes(StandardCharsets.UTF_8));
                    }
                    return authentication.password(login[0], new String(response, StandardCharsets.UTF_8), from);
                };
            }
        });
        List<String> challenges = new CopyOnWriteArrayList<>();
        SaslConfig steps = offered -> new SaslMechanism() {
            @Override
            public String getName() {
                return "WHARF-TEST-STEPS";
            }

            @Override
            public LongString handleChallenge(LongString challenge, String username, String password) {
                if (challenge == null) {
                    return LongStringHelper.asLongString(username);
                }
                challenges.add(challenge.toString());
                return LongStringHelper.asLongString(password);
            }
        };
        ConnectionFactory f = factory();
        f.setSaslConfig(steps);

        Connection c = connect(f);

        assertThat(c.isOpen()).isTrue();
        assertThat(challenges).containsExactly("password?");
        ConnectionFactory bad = factory();
        bad.setPassword("wrong");
        bad.setSaslConfig(steps);
        assertThatThrownBy(() -> connect(bad)).isInstanceOf(AuthenticationFailureException.class);
    }

    @Test
    void shouldRefuseAVirtualHostTheUserHasNoPermissionsIn() {
        ConnectionFactory f = factory();
        f.setVirtualHost("orders");

        AMQP.Connection.Close close = connectionClose(() -> connect(f));

        assertThat(close.getReplyCode()).isEqualTo(530);
        assertThat(close.getReplyText()).isEqualTo("NOT_ALLOWED - access to vhost 'orders' refused for user 'guest'");
    }

    @Test
    void shouldRefuseAnUnknownVirtualHost() {
        ConnectionFactory f = factory();
        f.setVirtualHost("nowhere");

        AMQP.Connection.Close close = connectionClose(() -> connect(f));

        assertThat(close.getReplyCode()).isEqualTo(530);
        assertThat(close.getReplyText()).contains("nowhere");
    }

    @Test
    void shouldApplyConfiguredPermissions() throws Exception {
        ConnectionFactory f = factory();
        f.setUsername("alice");
        f.setPassword("wonderland");
        f.setVirtualHost("orders");
        Channel ch = connect(f).createChannel();

        ch.queueDeclare("alice.inbox", false, false, true, null);
        AMQP.Channel.Close close = channelClose(() -> ch.queueDeclare("bob.inbox", false, false, true, null));

        assertThat(close.getReplyCode()).isEqualTo(403);
        assertThat(close.getReplyText()).isEqualTo("ACCESS_REFUSED - access to queue 'bob.inbox' in vhost 'orders' refused for user 'alice'");
    }

    @Test
    void shouldKeepVirtualHostsApart() throws Exception {
        ConnectionFactory inOrders = factory();
        inOrders.setUsername("alice");
        inOrders.setPassword("wonderland");
        inOrders.setVirtualHost("orders");
        Channel orders = connect(inOrders).createChannel();
        orders.queueDeclare("alice.q", false, false, false, null);

        AMQP.Channel.Close close = channelClose(() -> channel().queueDeclarePassive("alice.q"));

        assertThat(close.getReplyCode()).isEqualTo(404);
        assertThat(close.getReplyText()).isEqualTo("NOT_FOUND - no queue 'alice.q' in vhost '/'");
    }

    @Test
    void shouldNegotiateFrameMaxAndChannelMax() throws Exception {
        ConnectionFactory f = factory();
        f.setRequestedFrameMax(8192);
        f.setRequestedChannelMax(10);
        Connection c = connect(f);

        assertThat(c.getFrameMax()).isEqualTo(8192);
        assertThat(c.getChannelMax()).isEqualTo(10);
        Channel ch = c.createChannel();
        ch.queueDeclare("big", false, false, true, null);
        byte[] large = new byte[100_000];
        large[99_999] = 7;
        ch.basicPublish("", "big", null, large);
        assertThat(ch.basicGet("big", true).getBody()).isEqualTo(large);
    }

    @Test
    void shouldKeepAnIdleConnectionAliveWithHeartbeats() throws Exception {
        ConnectionFactory f = factory();
        f.setRequestedHeartbeat(1);
        Connection c = connect(f);

        assertThat(c.getHeartbeat()).isEqualTo(1);
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(c::isOpen);
    }

    @Test
    void shouldCloseChannelsAndFreeTheirNumbers() throws Exception {
        Connection c = connect();
        Channel ch = c.createChannel(5);
        ch.close();

        Channel again = c.createChannel(5);

        assertThat(again.isOpen()).isTrue();
    }

    /** The AMQPLAIN mechanism: a field table of LOGIN and PASSWORD without its length prefix. */
    private static final class AmqPlain implements SaslConfig {
        @Override
        public SaslMechanism getSaslMechanism(String[] mechanisms) {
            return new SaslMechanism() {
                @Override
                public String getName() {
                    return "AMQPLAIN";
                }

                @Override
                public LongString handleChallenge(LongString challenge, String username, String password) {
                    try {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        DataOutputStream out = new DataOutputStream(bytes);
                        writeEntry(out, "LOGIN", username);
                        writeEntry(out, "PASSWORD", password);
                        return LongStringHelper.asLongString(bytes.toByteArray());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }

        private static void writeEntry(DataOutputStream out, String key, String value) throws IOException {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            out.writeByte(k.length);
            out.write(k);
            out.writeByte('S');
            out.writeInt(v.length);
            out.write(v);
        }
    }

    /** A broker whose disk alarm is on from the start: every publisher gets blocked. */
    @Nested
    class UnderAResourceAlarm extends AmqpTestSupport {

        @RegisterExtension
        final WharfExtension alarmed = new WharfExtension().with("alarms.disk-free-limit", "1000TiB");

        @Override
        WharfExtension wharf() {
            return alarmed;
        }

        @Test
        void shouldBlockAPublishingConnection() throws Exception {
            Connection c = connect();
            CopyOnWriteArrayList<String> blocked = new CopyOnWriteArrayList<>();
            c.addBlockedListener(new BlockedListener() {
                @Override
                public void handleBlocked(String reason) {
                    blocked.add(reason);
                }

                @Override
                public void handleUnblocked() {
                    blocked.add("unblocked");
                }
            });
            Channel ch = c.createChannel();
            ch.queueDeclare("q", false, false, true, null);

            ch.basicPublish("", "q", null, bytes("x"));

            await().atMost(10, TimeUnit.SECONDS).until(() -> !blocked.isEmpty());
            assertThat(blocked.get(0)).contains("low on disk");

            alarmed.server().broker().alarms().setDiskFreeLimit(0).join();

            await().atMost(10, TimeUnit.SECONDS).until(() -> blocked.contains("unblocked"));
            ch.basicPublish("", "q", null, bytes("y"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> ch.messageCount("q") == 2);
        }
    }
}
