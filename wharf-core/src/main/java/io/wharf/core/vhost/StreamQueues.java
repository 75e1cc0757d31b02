package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.auth.Client;
import io.wharf.core.exchange.FieldValues;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamConfigs;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.stream.StreamPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Stream queues: a queue declared with {@code x-queue-type: stream}, as RabbitMQ's clients
 * declare one, is a stream of one partition, durable, kept whole unless
 * {@code x-max-length-bytes} bounds it. Whether a declared queue is a queue or a stream is decided
 * here, for every protocol.
 */
final class StreamQueues {

    private StreamQueues() {
    }

    /** Whether a declaration asks for a stream rather than a queue. */
    static boolean wanted(QueueDefinition d) {
        return "stream".equals(FieldValues.asString(d.arguments().get("x-queue-type")));
    }

    /** The records a stream queue holds: what a declaration or a deletion reports as its message count. */
    static long held(Stream s) {
        StreamPartition p = s.partition(0);
        return p == null ? 0 : p.highWatermark() - p.logStartOffset();
    }

    static CompletableFuture<VirtualHost.QueueDeclared> declare(VirtualHost vhost, QueueDefinition d, boolean passive,
                                                                Client client) {
        Stream existing = vhost.stream(d.name());
        if (existing != null || passive) {
            if (existing == null) {
                return CompletableFuture.failedFuture(BrokerException.notFound("no queue '" + d.name() + "' in vhost '"
                        + vhost.name() + "'"));
            }
            return CompletableFuture.completedFuture(new VirtualHost.QueueDeclared(d.name(), held(existing), 0));
        }
        if (d.name().isEmpty() || !d.durable() || d.exclusive() || d.autoDelete()) {
            return CompletableFuture.failedFuture(BrokerException.preconditionFailed(
                    "a stream queue needs a name and must be durable, not exclusive and not auto-delete"));
        }
        Map<String, String> configs = new HashMap<>();
        Long maxBytes = FieldValues.asLong(d.arguments().get("x-max-length-bytes"));
        if (maxBytes != null) {
            configs.put(StreamConfigs.RETENTION_BYTES, Long.toString(maxBytes));
        }
        return vhost.streamAdmin().create(new StreamDefinition(d.name(), 1, configs), client)
                .thenApply(s -> new VirtualHost.QueueDeclared(d.name(), 0, 0));
    }
}
