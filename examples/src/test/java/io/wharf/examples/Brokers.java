package io.wharf.examples;

import com.rabbitmq.client.ConnectionFactory;
import io.wharf.test.WharfExtension;

/** Connection factories for the embedded broker, built the way users build them: from a URI. */
public final class Brokers {

    private Brokers() {
    }

    public static String uri(WharfExtension wharf) {
        return "amqp://guest:guest@127.0.0.1:" + wharf.amqpPort() + "/%2F";
    }

    public static ConnectionFactory factory(WharfExtension wharf) {
        return BrokerArgs.connectionFactory(uri(wharf));
    }
}
