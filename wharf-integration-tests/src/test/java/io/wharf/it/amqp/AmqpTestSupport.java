package io.wharf.it.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** What the AMQP integration tests share: connections to the embedded broker that are closed after each test. */
abstract class AmqpTestSupport {

    private final List<Connection> connections = new ArrayList<>();

    abstract WharfExtension wharf();

    ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(wharf().amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        f.setConnectionTimeout(10_000);
        f.setVirtualHost(wharf().vhost());
        return f;
    }

    Connection connect() throws IOException, TimeoutException {
        return connect(factory());
    }

    Connection connect(ConnectionFactory f) throws IOException, TimeoutException {
        Connection c = f.newConnection();
        connections.add(c);
        return c;
    }

    Channel channel() throws IOException, TimeoutException {
        return connect().createChannel();
    }

    @AfterEach
    void closeConnections() {
        for (Connection c : connections) {
            if (c.isOpen()) {
                try {
                    c.close(5_000);
                } catch (IOException | RuntimeException ignored) {
                    // the test may have broken it on purpose
                }
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static AMQP.BasicProperties persistent() {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    }

    /** Consumes into a blocking queue. */
    static LinkedBlockingQueue<Delivery> consume(Channel ch, String queue, boolean autoAck) throws IOException {
        LinkedBlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        DeliverCallback cb = (tag, d) -> got.add(d);
        ch.basicConsume(queue, autoAck, cb, tag -> { });
        return got;
    }

    static Delivery next(LinkedBlockingQueue<Delivery> q) throws InterruptedException {
        Delivery d = q.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("a delivery within 10 s").isNotNull();
        return d;
    }

    /** The AMQP close a failed call caused: the reply code and text the broker sent. */
    static AMQP.Channel.Close channelClose(ThrowingCall call) {
        ShutdownSignalException s = shutdownOf(call);
        assertThat(s.isHardError()).as("a channel error, not a connection error: %s", s.getReason()).isFalse();
        return (AMQP.Channel.Close) s.getReason();
    }

    static AMQP.Connection.Close connectionClose(ThrowingCall call) {
        ShutdownSignalException s = shutdownOf(call);
        assertThat(s.isHardError()).as("a connection error: %s", s.getReason()).isTrue();
        return (AMQP.Connection.Close) s.getReason();
    }

    private static ShutdownSignalException shutdownOf(ThrowingCall call) {
        Throwable t = catchThrowable(call::run);
        assertThat(t).as("the call fails").isNotNull();
        while (t != null && !(t instanceof ShutdownSignalException)) {
            t = t.getCause();
        }
        assertThat(t).as("an AMQP shutdown signal").isInstanceOf(ShutdownSignalException.class);
        return (ShutdownSignalException) t;
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }
}
