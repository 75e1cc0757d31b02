package io.wharf.protocol.amqp;

import java.time.Duration;

/**
 * How the AMQP 0-9-1 endpoint listens and what it negotiates with clients.
 *
 * @param host             interface to bind
 * @param port             port to bind; 0 picks a free one
 * @param frameMax         largest frame the broker accepts and offers in connection.tune
 * @param channelMax       most channels per connection offered in connection.tune
 * @param heartbeat        heartbeat interval offered in connection.tune; zero disables
 * @param maxMessageSize   largest message body accepted
 * @param handshakeTimeout time a client has to open its connection
 */
public record AmqpSettings(String host, int port, int frameMax, int channelMax, Duration heartbeat,
                           long maxMessageSize, Duration handshakeTimeout) {

    public static AmqpSettings defaults() {
        return new AmqpSettings("0.0.0.0", 5672, 131072, 2047, Duration.ofSeconds(60), 128L << 20, Duration.ofSeconds(10));
    }

    public AmqpSettings withPort(int p) {
        return new AmqpSettings(host, p, frameMax, channelMax, heartbeat, maxMessageSize, handshakeTimeout);
    }

    public AmqpSettings withHost(String h) {
        return new AmqpSettings(h, port, frameMax, channelMax, heartbeat, maxMessageSize, handshakeTimeout);
    }
}
