package io.wharf.protocol.kafka;

/**
 * How the Kafka endpoint listens, what it tells clients, and how it maps topics to streams.
 *
 * @param host              interface to bind
 * @param port              port to bind; 0 picks a free one
 * @param advertisedHost    host clients are told to connect to in metadata; empty means the bound address
 * @param advertisedPort    port clients are told; 0 means the bound port
 * @param autoCreateTopics  whether a produce or metadata request for an unknown topic creates it
 * @param defaultPartitions partitions of an auto-created topic, and of one created without a count
 * @param maxRequestSize    largest request accepted; a larger one closes the connection
 * @param vhost             the virtual host Kafka topics live in
 * @param anonymousUser     the user every client acts as until Kafka clients can log in (SASL); it
 *                          must be allowed to connect from the client's address (guest: loopback
 *                          only). Empty refuses every client
 */
public record KafkaSettings(String host, int port, String advertisedHost, int advertisedPort, boolean autoCreateTopics,
                            int defaultPartitions, int maxRequestSize, String vhost, String anonymousUser) {

    public static KafkaSettings defaults() {
        return new KafkaSettings("0.0.0.0", 9092, "", 0, true, 1, 100 << 20, "/", "guest");
    }

    public KafkaSettings withPort(int p) {
        return new KafkaSettings(host, p, advertisedHost, advertisedPort, autoCreateTopics, defaultPartitions,
                maxRequestSize, vhost, anonymousUser);
    }

    public KafkaSettings withHost(String h) {
        return new KafkaSettings(h, port, advertisedHost, advertisedPort, autoCreateTopics, defaultPartitions,
                maxRequestSize, vhost, anonymousUser);
    }
}
