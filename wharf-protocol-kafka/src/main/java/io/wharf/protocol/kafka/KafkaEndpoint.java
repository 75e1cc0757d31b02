package io.wharf.protocol.kafka;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.wharf.core.Broker;
import io.wharf.protocol.common.EventLoops;
import io.wharf.protocol.common.ProtocolEndpoint;
import io.wharf.core.Registration;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.common.Listener;
import io.wharf.storage.concurrent.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The Kafka listener: accepts connections on Netty (epoll where available, NIO otherwise), cuts
 * the byte stream into size-prefixed requests and hands each to a {@link KafkaConnection}.
 */
public final class KafkaEndpoint implements ProtocolEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEndpoint.class);

    private final Listener listener;
    private final ScheduledExecutorService timers;
    private final Registration groupDirectory;

    private KafkaEndpoint(Listener listener, ScheduledExecutorService timers, Registration groupDirectory) {
        this.listener = listener;
        this.timers = timers;
        this.groupDirectory = groupDirectory;
    }

    /**
     * Binds the listener.
     *
     * @throws IOException naming the address when it cannot be bound, or the virtual host when it does not exist
     */
    public static KafkaEndpoint start(Broker broker, KafkaSettings settings, EventLoops loops) throws IOException {
        VirtualHost vhost = broker.vhost(settings.vhost()).orElseThrow(() -> new IOException(
                "the Kafka endpoint's virtual host '" + settings.vhost() + "' does not exist"));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("kafka-timer", true));
        KafkaBroker kafka = new KafkaBroker(vhost, settings, timers, new KafkaNodes(broker, settings));
        Listener listener;
        try {
            listener = Listener.bind(loops, "Kafka", settings.host(), settings.port(), WriteBufferWaterMark.DEFAULT, ch -> {
                // A request is a 4-byte size and that many bytes; a larger size than allowed closes the connection.
                ch.pipeline().addLast("frames", new LengthFieldBasedFrameDecoder(settings.maxRequestSize(), 0, 4, 0, 4));
                ch.pipeline().addLast("kafka", new KafkaConnection(kafka, broker.authentication(), broker.alarms(), settings.anonymousUser(), broker.connections()));
            });
        } catch (IOException e) {
            timers.shutdownNow();
            throw e;
        }
        kafka.bound(listener.address());
        Registration groupDirectory = vhost.consumerGroups().register(new GroupDirectoryView(vhost.groupCoordinator()));
        LOG.info("Kafka protocol listening on {} ({}), advertised as {}:{}", listener.address(), listener.transport(),
                kafka.advertisedHost(), kafka.advertisedPort());
        return new KafkaEndpoint(listener, timers, groupDirectory);
    }

    public int port() {
        return listener.port();
    }

    @Override
    public String protocol() {
        return "Kafka";
    }

    @Override
    public Map<String, Integer> listeners() {
        return Map.of("kafka", port());
    }

    @Override
    public void close() {
        groupDirectory.close();
        listener.close();
        timers.shutdownNow();
    }
}
