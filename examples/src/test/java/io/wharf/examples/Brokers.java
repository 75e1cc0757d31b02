package io.wharf.examples;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.test.WharfExtension;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Connection factories for the embedded broker, built the way users build them: from a URI; and
 * questions to the broker about its queues.
 */
public final class Brokers {

    private Brokers() {
    }

    public static String uri(WharfExtension wharf) {
        return "amqp://guest:guest@127.0.0.1:" + wharf.amqpPort() + "/%2F";
    }

    public static ConnectionFactory factory(WharfExtension wharf) {
        return BrokerArgs.connectionFactory(uri(wharf));
    }

    /** Messages ready in a queue, not counting those delivered and unacknowledged. */
    public static long messagesIn(ConnectionFactory factory, String queue) throws IOException, TimeoutException {
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Whether a queue exists, asked from a connection of its own. */
    public static boolean queueExists(ConnectionFactory factory, String queue) throws IOException, TimeoutException {
        try (Connection connection = factory.newConnection()) {
            Channel channel = connection.createChannel();
            try {
                channel.queueDeclarePassive(queue);
                return true;
            } catch (IOException e) {
                // The answer comes as the reason the channel was closed: 404 for a missing queue,
                // 405 RESOURCE_LOCKED for one that exists but is exclusive to another connection.
                if (e.getCause() instanceof ShutdownSignalException s
                        && s.getReason() instanceof AMQP.Channel.Close close) {
                    if (close.getReplyCode() == AMQP.NOT_FOUND) {
                        return false;
                    }
                    if (close.getReplyCode() == AMQP.RESOURCE_LOCKED) {
                        return true;
                    }
                }
                throw e;
            }
        }
    }
}
