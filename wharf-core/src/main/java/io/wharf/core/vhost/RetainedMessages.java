package io.wharf.core.vhost;

import io.wharf.core.concurrent.SerialExecutor;
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
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * The last retained message of each topic of a virtual host (MQTT's retained messages), kept
 * durably in the metadata store and in memory for matching new subscriptions.
 *
 * <p>Threading: retaining and clearing are {@link Command} records applied one at a time by the
 * store's own {@link SerialExecutor}, in the order they were given, so that memory and the
 * metadata store agree on which message of a topic came last, and the same commands give the
 * same retained messages anywhere. Readers ({@link #matching}) on any thread see the
 * in-memory map the owner updates.
 */
public final class RetainedMessages {

    /** A change to the retained messages. */
    public sealed interface Command {
        String topic();
    }

    /** {@code message} becomes the topic's retained message. */
    public record Retain(String topic, Message message) implements Command {
    }

    /** The topic has no retained message any more. */
    public record Clear(String topic) implements Command {
    }

    private static final byte FORMAT = 1;

    private final MetadataStore store;
    private final String prefix;
    private final Map<String, Message> byTopic = new ConcurrentSkipListMap<>();
    private final SerialExecutor owner;

    RetainedMessages(MetadataStore store, String vhost, Executor pool) {
        this.store = store;
        this.prefix = "retained\0" + vhost + "\0";
        this.owner = new SerialExecutor("retained messages of " + vhost, pool, null);
        store.scan(prefix).forEach((key, value) -> byTopic.put(key.substring(prefix.length()), decode(value)));
    }

    /** Keeps {@code m} as the topic's retained message, after every change given before; completes once durable. */
    public CompletableFuture<Void> retain(String topic, Message m) {
        return apply(new Retain(topic, m));
    }

    /** Forgets the topic's retained message, after every change given before; completes once durable. */
    public CompletableFuture<Void> clear(String topic) {
        return apply(new Clear(topic));
    }

    /** Applies a change after every change given before; completes once it is durable. */
    public CompletableFuture<Void> apply(Command command) {
        return owner.submit(() -> switch (command) {
            case Retain r -> {
                byTopic.put(r.topic(), r.message());
                yield store.put(prefix + r.topic(), encode(r.message()));
            }
            case Clear c -> byTopic.remove(c.topic()) == null ? CompletableFuture.<Void>completedFuture(null)
                    : store.delete(prefix + c.topic());
        });
    }

    /**
     * Completes once every change given before is in memory, so that a subscription matched
     * after it sees a message its own connection retained just before subscribing.
     */
    public CompletableFuture<Void> applied() {
        return owner.submit(() -> CompletableFuture.completedFuture(null));
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
