package io.wharf.core.vhost;

import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.message.WireReader;
import io.wharf.storage.journal.CommandReader;
import io.wharf.storage.journal.CommandWriter;
import io.wharf.storage.metadata.MetadataStore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * The last retained message of each topic of a virtual host (MQTT's retained messages), kept
 * durably in the metadata store and in memory for matching new subscriptions.
 *
 * <p>Thread-safe.
 */
public final class RetainedMessages {

    private static final byte FORMAT = 1;

    private final MetadataStore store;
    private final String prefix;
    private final Map<String, Message> byTopic = new ConcurrentSkipListMap<>();

    RetainedMessages(MetadataStore store, String vhost) {
        this.store = store;
        this.prefix = "retained\0" + vhost + "\0";
        store.scan(prefix).forEach((key, value) -> byTopic.put(key.substring(prefix.length()), decode(value)));
    }

    /** Keeps {@code m} as the topic's retained message; completes once durable. */
    public CompletableFuture<Void> retain(String topic, Message m) {
        byTopic.put(topic, m);
        return store.put(prefix + topic, encode(m));
    }

    /** Forgets the topic's retained message; completes once durable. */
    public CompletableFuture<Void> clear(String topic) {
        if (byTopic.remove(topic) == null) {
            return CompletableFuture.completedFuture(null);
        }
        return store.delete(prefix + topic);
    }

    /** The retained messages of the topics {@code filter} accepts, by topic. */
    public List<Map.Entry<String, Message>> matching(Predicate<String> filter) {
        List<Map.Entry<String, Message>> out = new ArrayList<>();
        byTopic.forEach((topic, m) -> {
            if (filter.test(topic)) {
                out.add(Map.entry(topic, m));
            }
        });
        return out;
    }

    public int size() {
        return byTopic.size();
    }

    private static byte[] encode(Message m) {
        return new CommandWriter(64 + m.bodySize()).putByte(FORMAT).putString(m.exchange()).putString(m.routingKey())
                .putBytes(m.encodedProperties()).putBytes(m.body()).putVarlong(m.arrivedAtMillis()).toByteArray();
    }

    private static Message decode(byte[] bytes) {
        CommandReader r = new CommandReader(ByteBuffer.wrap(bytes));
        if (r.getByte() != FORMAT) {
            throw new IllegalStateException("a retained message is stored in an unknown format");
        }
        String exchange = r.getString();
        String routingKey = r.getString();
        byte[] props = r.getBytes();
        byte[] body = r.getBytes();
        long arrived = r.getVarlong();
        MessageProperties p = MessageProperties.read(new WireReader(ByteBuffer.wrap(props)));
        return Message.withEncodedProperties(exchange, routingKey, p, props, body, arrived);
    }
}
