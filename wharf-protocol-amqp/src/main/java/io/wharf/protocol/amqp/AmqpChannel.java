package io.wharf.protocol.amqp;

import io.netty.buffer.ByteBuf;
import io.wharf.core.BrokerException;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.exchange.FieldValues;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageRecords;
import io.wharf.core.message.MessageProperties;
import io.wharf.core.queue.ConsumerSpec;
import io.wharf.core.queue.Delivery;
import io.wharf.core.stream.StreamPartition;
import io.wharf.core.stream.Stream;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.session.CreditWindow;
import io.wharf.core.vhost.DirectReplyTo;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.amqp.codec.AccessMethod;
import io.wharf.protocol.common.StorageFailures;
import io.wharf.protocol.amqp.codec.AmqpException;
import io.wharf.protocol.amqp.codec.BasicMethod;
import io.wharf.protocol.amqp.codec.BodyFrame;
import io.wharf.protocol.amqp.codec.ChannelMethod;
import io.wharf.protocol.amqp.codec.ConfirmMethod;
import io.wharf.protocol.amqp.codec.ExchangeMethod;
import io.wharf.protocol.amqp.codec.Frame;
import io.wharf.protocol.amqp.codec.HeaderFrame;
import io.wharf.protocol.amqp.codec.Method;
import io.wharf.protocol.amqp.codec.MethodFrame;
import io.wharf.protocol.amqp.codec.QueueMethod;
import io.wharf.protocol.amqp.codec.ReplyCode;
import io.wharf.protocol.amqp.codec.TxMethod;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One AMQP channel: turns its methods into broker operations and the broker's deliveries into
 * frames. Methods run in arrival order: one that waits for the broker (a declaration, a get, a
 * commit) holds the frames behind it until it is answered, so replies keep the order of requests.
 *
 * <p>Confined to the connection's event loop, except {@link #canDeliver} and the {@link #global}
 * window, which queue threads use through {@link ChannelConsumer}, and {@link #session}, which
 * operators' requests call from any thread.
 */
final class AmqpChannel {

    private enum State { OPEN, CLOSING, CLOSED }

    /** A delivery awaiting acknowledgement; {@code consumer} is null for a get. */
    private record Unacked(Delivery delivery, ChannelConsumer consumer) {
    }

    /** A publish or acknowledgement held until tx.commit. */
    private sealed interface TxOp permits TxPublish, TxAck {
    }

    private record TxPublish(Message message, boolean mandatory) implements TxOp {
    }

    private record TxAck(Method method) implements TxOp {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_BACKLOG = 10_000;

    final int number;
    private final AmqpConnection conn;
    private State state = State.OPEN;
    private volatile boolean open = true;
    private volatile boolean flowActive = true;

    private boolean busy;
    private final ArrayDeque<Frame> backlog = new ArrayDeque<>();

    private BasicMethod.Publish publishing;
    private HeaderFrame header;
    private byte[] body;
    private int bodyFilled;

    private final Map<String, ChannelConsumer> consumers = new LinkedHashMap<>();
    private String lastQueue;
    private volatile int consumerPrefetch;
    private final Map<String, StreamConsumer> streamConsumers = new HashMap<>();
    // Stream deliveries awaiting acknowledgement, by delivery tag: acknowledging one only makes room.
    private final TreeMap<Long, StreamConsumer> streamUnacked = new TreeMap<>();
    private long consumerPrefetchSize;
    /** The channel's global prefetch (basic.qos with global set), which every consumer's window is nested in. */
    final CreditWindow global = CreditWindow.unlimited();

    private long deliveryTag;
    private final LinkedHashMap<Long, Unacked> unacked = new LinkedHashMap<>();

    private ConfirmTracker confirms;
    private boolean txMode;
    private final List<TxOp> txOps = new ArrayList<>();

    private String replyAddress;
    private String replyConsumerTag;

    // What operators see of the channel: written on the event loop as it changes, read from any thread.
    private volatile int shownConsumers;
    private volatile int shownUnacked;

    AmqpChannel(int number, AmqpConnection conn) {
        this.number = number;
        this.conn = conn;
    }

    /** The channel as operators see it: its number, consumers, unacknowledged deliveries and prefetch. */
    ClientConnection.Session session() {
        int globalCount = global.maxCount();
        return new ClientConnection.Session(Integer.toString(number), shownConsumers, shownUnacked,
                globalCount > 0 ? globalCount : consumerPrefetch);
    }

    private void consumersChanged() {
        shownConsumers = consumers.size() + streamConsumers.size() + (replyConsumerTag == null ? 0 : 1);
    }

    private void unackedChanged() {
        shownUnacked = unacked.size() + streamUnacked.size();
    }

    // ---------------------------------------------------------------- frames in

    /** Handles a frame for this channel; takes ownership of body frames. */
    void handle(Frame f) {
        if (state == State.CLOSED) {
            release(f);
            return;
        }
        if (state == State.CLOSING) {
            if (f instanceof MethodFrame mf && mf.method() instanceof ChannelMethod.Close) {
                conn.send(number, new ChannelMethod.CloseOk());
                finishClose();
            } else if (f instanceof MethodFrame mf && mf.method() instanceof ChannelMethod.CloseOk) {
                finishClose();
            }
            release(f);
            return;
        }
        if (busy) {
            backlog.add(f);
            if (backlog.size() > MAX_BACKLOG) {
                conn.pauseReading(this);
            }
            return;
        }
        process(f);
    }

    private void process(Frame f) {
        if (publishing != null) {
            content(f);
            return;
        }
        if (f instanceof MethodFrame mf) {
            method(mf.method());
        } else {
            release(f);
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                    "expected a method frame on channel " + number + ", got " + f.getClass().getSimpleName())
                    .withChannel(number);
        }
    }

    private void content(Frame f) {
        if (f instanceof HeaderFrame h && header == null) {
            if (h.bodySize() > conn.settings().maxMessageSize()) {
                publishing = null;
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, BasicMethod.CLASS_ID, 40,
                        "message size " + h.bodySize() + " is larger than configured max size " + conn.settings().maxMessageSize());
            }
            header = h;
            body = null;
            bodyFilled = 0;
            if (h.bodySize() == 0) {
                completePublish(new byte[0], null);
            }
        } else if (f instanceof BodyFrame b && header != null) {
            int expected = (int) header.bodySize();
            ByteBuf payload = b.payload();
            int n = payload.readableBytes();
            if (bodyFilled == 0 && n == expected && borrows(payload)) {
                // The frame's reference becomes the message's.
                completePublish(null, new ByteBufBody(payload));
                return;
            }
            try {
                if (bodyFilled + n > expected) {
                    throw AmqpException.connection(ReplyCode.FRAME_ERROR, "content body of " + (bodyFilled + n)
                            + " bytes exceeds the size of " + expected + " its header announced").withChannel(number);
                }
                if (body == null) {
                    body = new byte[expected];
                }
                payload.getBytes(payload.readerIndex(), body, bodyFilled, n);
                bodyFilled += n;
            } finally {
                b.release();
            }
            if (bodyFilled == expected) {
                completePublish(body, null);
            }
        } else {
            release(f);
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, header == null
                    ? "expected content header for class 60, got " + f.getClass().getSimpleName() + " instead"
                    : "expected content body, got " + f.getClass().getSimpleName() + " instead").withChannel(number);
        }
    }

    private void method(Method m) {
        try {
            dispatch(m);
        } catch (BrokerException e) {
            throw Errors.toAmqp(e, number, m.classId(), m.methodId());
        }
    }

    private void dispatch(Method m) {
        switch (m) {
            case ChannelMethod.Close c -> {
                conn.send(number, new ChannelMethod.CloseOk());
                finishClose();
            }
            case ChannelMethod.CloseOk ok -> {
                // A close-ok without our close: nothing to finish.
            }
            case ChannelMethod.Flow flow -> {
                flowActive = flow.active();
                conn.send(number, new ChannelMethod.FlowOk(flow.active()));
                if (flow.active()) {
                    wakeConsumers();
                }
            }
            case ChannelMethod.FlowOk ok -> {
                // We never ask a client to stop publishing with channel.flow; connection.blocked does that.
            }
            case AccessMethod.Request r -> conn.send(number, new AccessMethod.RequestOk(1));
            case ExchangeMethod.Declare d -> declareExchange(d);
            case ExchangeMethod.Delete d -> async(m, vhost().deleteExchange(d.exchange(), d.ifUnused(), conn.client()),
                    v -> reply(d.noWait(), new ExchangeMethod.DeleteOk()));
            case ExchangeMethod.Bind b -> async(m, vhost().bind(Binding.toExchange(b.source(), b.destination(),
                    b.routingKey(), b.arguments()), conn.client()), v -> reply(b.noWait(), new ExchangeMethod.BindOk()));
            case ExchangeMethod.Unbind b -> async(m, vhost().unbind(Binding.toExchange(b.source(), b.destination(),
                    b.routingKey(), b.arguments()), conn.client()), v -> reply(b.noWait(), new ExchangeMethod.UnbindOk()));
            case QueueMethod.Declare d -> declareQueue(d);
            case QueueMethod.Bind b -> async(m, vhost().bind(Binding.toQueue(b.exchange(), queueName(b.queue(), m),
                    b.routingKey(), b.arguments()), conn.client()), v -> reply(b.noWait(), new QueueMethod.BindOk()));
            case QueueMethod.Unbind b -> async(m, vhost().unbind(Binding.toQueue(b.exchange(), queueName(b.queue(), m),
                    b.routingKey(), b.arguments()), conn.client()), v -> conn.send(number, new QueueMethod.UnbindOk()));
            case QueueMethod.Purge p -> async(m, vhost().purgeQueue(queueName(p.queue(), m), conn.client()),
                    n -> reply(p.noWait(), new QueueMethod.PurgeOk(clamp(n))));
            case QueueMethod.Delete d -> deleteQueue(d);
            case BasicMethod.Qos q -> qos(q);
            case BasicMethod.Consume c -> consume(c);
            case BasicMethod.Cancel c -> cancel(c);
            case BasicMethod.Publish p -> startPublish(p);
            case BasicMethod.Get g -> get(g);
            case BasicMethod.Ack a -> acknowledge(a);
            case BasicMethod.Nack n -> acknowledge(n);
            case BasicMethod.Reject r -> acknowledge(r);
            case BasicMethod.Recover r -> recover(m, r.requeue(), true);
            case BasicMethod.RecoverAsync r -> recover(m, r.requeue(), false);
            case TxMethod.Select s -> txSelect();
            case TxMethod.Commit c -> txCommit(m);
            case TxMethod.Rollback r -> txRollback();
            case ConfirmMethod.Select s -> confirmSelect(s);
            default -> throw AmqpException.connection(ReplyCode.COMMAND_INVALID, m.classId(), m.methodId(),
                    "the client may not send " + m.name()).withChannel(number);
        }
    }

    private VirtualHost vhost() {
        return conn.vhost();
    }

    private void reply(boolean noWait, Method ok) {
        if (!noWait) {
            conn.send(number, ok);
        }
    }

    private static int clamp(long n) {
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** An empty queue name means the queue this channel declared last. */
    private String queueName(String name, Method m) {
        if (!name.isEmpty()) {
            return name;
        }
        if (lastQueue == null) {
            throw AmqpException.channel(ReplyCode.NOT_FOUND, number, m.classId(), m.methodId(), "no previously declared queue");
        }
        return lastQueue;
    }

    /**
     * Waits for a broker operation before handling the frames behind it; errors become this
     * channel's (or the connection's) AMQP error for {@code m}.
     */
    private <T> void async(Method m, CompletionStage<T> op, java.util.function.Consumer<T> onSuccess) {
        async(m, op, onSuccess, v -> { });
    }

    /**
     * As {@link #async(Method, CompletionStage, java.util.function.Consumer)}; {@code ifClosed} gets
     * the result instead if the channel closed meanwhile, to give back what it took.
     */
    private <T> void async(Method m, CompletionStage<T> op, java.util.function.Consumer<T> onSuccess,
                           java.util.function.Consumer<T> ifClosed) {
        busy = true;
        op.whenComplete((v, e) -> conn.onLoop(() -> {
            if (state != State.OPEN) {
                if (e == null) {
                    ifClosed.accept(v);
                }
                return;
            }
            busy = false;
            try {
                if (e != null) {
                    conn.fail(Errors.toAmqp(e, number, m.classId(), m.methodId()));
                    return;
                }
                onSuccess.accept(v);
            } catch (AmqpException ex) {
                conn.fail(ex);
                return;
            } catch (RuntimeException ex) {
                conn.fail(Errors.toAmqp(ex, number, m.classId(), m.methodId()));
                return;
            }
            drainBacklog();
        }));
    }

    private void drainBacklog() {
        while (!busy && state == State.OPEN && !backlog.isEmpty()) {
            Frame f = backlog.poll();
            try {
                process(f);
            } catch (AmqpException e) {
                conn.fail(e.channel() == 0 && !e.connectionLevel() ? e.withChannel(number) : e);
                return;
            } catch (RuntimeException e) {
                conn.fail(Errors.toAmqp(e, number, 0, 0));
                return;
            }
        }
        if (backlog.isEmpty()) {
            conn.resumeReading(this);
        }
    }

    // ---------------------------------------------------------------- exchanges and queues

    private void declareExchange(ExchangeMethod.Declare d) {
        ExchangeDefinition def = new ExchangeDefinition(d.exchange(), d.type(), d.durable(), d.autoDelete(), d.internal(),
                d.arguments());
        async(d, vhost().declareExchange(def, d.passive(), conn.client()), v -> reply(d.noWait(), new ExchangeMethod.DeclareOk()));
    }

    private void declareQueue(QueueMethod.Declare d) {
        String name = d.passive() ? queueName(d.queue(), d) : d.queue();
        if (d.passive() && vhost().directReplyTo().declarable(name)) {
            reply(d.noWait(), new QueueMethod.DeclareOk(name, 0, 0));
            return;
        }
        QueueDefinition def = new QueueDefinition(name, d.durable(), d.exclusive(), d.autoDelete(), d.arguments());
        async(d, vhost().declareQueue(def, d.passive(), conn.client()), q -> {
            lastQueue = q.name();
            reply(d.noWait(), new QueueMethod.DeclareOk(q.name(), clamp(q.messageCount()), q.consumerCount()));
        });
    }

    private void deleteQueue(QueueMethod.Delete d) {
        String name = queueName(d.queue(), d);
        async(d, vhost().deleteQueue(name, d.ifUnused(), d.ifEmpty(), conn.client()),
                n -> reply(d.noWait(), new QueueMethod.DeleteOk(clamp(n))));
    }

    // ---------------------------------------------------------------- consuming

    private void qos(BasicMethod.Qos q) {
        if (q.global()) {
            global.resize(q.prefetchCount(), q.prefetchSize());
            wakeConsumers();
        } else {
            consumerPrefetch = q.prefetchCount();
            consumerPrefetchSize = q.prefetchSize();
        }
        conn.send(number, new BasicMethod.QosOk());
    }

    private void consume(BasicMethod.Consume c) {
        String tag = c.consumerTag().isEmpty() ? generatedTag() : c.consumerTag();
        if (consumers.containsKey(tag) || streamConsumers.containsKey(tag) || tag.equals(replyConsumerTag)) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, c.classId(), c.methodId(),
                    "attempt to reuse consumer tag '" + tag + "'").withChannel(number);
        }
        if (c.queue().equals(DirectReplyTo.PSEUDO_QUEUE)) {
            consumeReplies(c, tag);
            return;
        }
        String queueName = queueName(c.queue(), c);
        Stream stream = vhost().stream(queueName);
        if (stream != null) {
            consumeStream(c, tag, stream);
            return;
        }
        Queue queue = vhost().queueForReading(queueName, conn.client());
        Long priority = FieldValues.asLong(c.arguments().get("x-priority"));
        ChannelConsumer consumer = new ChannelConsumer(this, tag, queue, c.noAck(), consumerPrefetch, consumerPrefetchSize);
        consumers.put(tag, consumer);
        consumersChanged();
        CompletableFuture<Void> subscribed = queue.consume(new ConsumerSpec(tag, c.noAck(), c.exclusive(),
                priority == null ? 0 : priority.intValue(), conn.identity(), consumer));
        busy = true;
        subscribed.whenComplete((v, e) -> conn.onLoop(() -> {
            if (state != State.OPEN) {
                if (e == null) {
                    queue.cancel(tag);
                }
                return;
            }
            busy = false;
            if (e != null) {
                consumers.remove(tag);
                consumersChanged();
                conn.fail(Errors.toAmqp(e, number, c.classId(), c.methodId()));
                return;
            }
            reply(c.noWait(), new BasicMethod.ConsumeOk(tag));
            consumer.start();
            drainBacklog();
        }));
    }

    /**
     * Consumes a stream as RabbitMQ's stream queues are consumed: with manual acknowledgements, a
     * prefetch count, and {@code x-stream-offset} saying where to start (first, last, next, an
     * offset, or a timestamp); without it, at the next message.
     */
    private void consumeStream(BasicMethod.Consume c, String tag, Stream stream) {
        conn.client().check(vhost().name(), io.wharf.core.auth.Permission.Access.READ, "queue", stream.name());
        if (c.noAck()) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, c.classId(), c.methodId(),
                    "consumer must use manual acknowledgement for stream queue '" + stream.name() + "'");
        }
        if (consumerPrefetch <= 0) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, c.classId(), c.methodId(),
                    "consumer prefetch count is not set for stream queue '" + stream.name() + "'");
        }
        StreamPartition partition = stream.partition(0);
        if (c.arguments().get("x-stream-offset") instanceof java.time.Instant t) {
            // A timestamp is looked up in the time index, which is on disk: off the loop, the
            // channel's next frames waiting as they do for any broker operation.
            async(c, CompletableFuture.supplyAsync(() -> partition.offsetForTimestamp(t.toEpochMilli())
                    .orElse(partition.highWatermark()), vhost().streamReads()), from -> startStreamConsumer(c, tag, partition, from));
            return;
        }
        startStreamConsumer(c, tag, partition, startOffset(c, partition));
    }

    private void startStreamConsumer(BasicMethod.Consume c, String tag, StreamPartition partition, long from) {
        StreamConsumer consumer = new StreamConsumer(this, conn, tag, partition, vhost().streamReads(), from, consumerPrefetch);
        streamConsumers.put(tag, consumer);
        consumersChanged();
        reply(c.noWait(), new BasicMethod.ConsumeOk(tag));
        consumer.pump();
    }

    /** Where a stream consumer starts, for every {@code x-stream-offset} but a timestamp (see {@link #consumeStream}). */
    private long startOffset(BasicMethod.Consume c, StreamPartition p) {
        Object spec = c.arguments().get("x-stream-offset");
        return switch (spec) {
            case null -> p.highWatermark();
            case Number n -> Math.max(p.logStartOffset(), Math.min(n.longValue(), p.highWatermark()));
            default -> switch (FieldValues.asString(spec)) {
                case "first" -> p.logStartOffset();
                case "last" -> Math.max(p.logStartOffset(), p.highWatermark() - 1);
                case "next" -> p.highWatermark();
                case String other -> throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, c.classId(), c.methodId(),
                        "invalid x-stream-offset '" + other + "': first, last, next, an offset or a timestamp");
                case null -> p.highWatermark();
            };
        };
    }

    /** A stream consumer hands over a message (on the event loop). */
    void deliverFromStream(StreamConsumer consumer, Message m) {
        long tag = ++deliveryTag;
        streamUnacked.put(tag, consumer);
        unackedChanged();
        conn.sendContent(number, new BasicMethod.Deliver(consumer.tag, tag, false, m.exchange(), m.routingKey()), m);
    }

    /** Settles stream deliveries up to {@code tag} (or just it); true if {@code tag} was one of them. */
    private boolean settleStream(long tag, boolean multiple) {
        if (multiple) {
            var done = streamUnacked.headMap(tag == 0 ? Long.MAX_VALUE : tag, true);
            List<StreamConsumer> settled = new ArrayList<>(done.values());
            done.clear();
            settled.forEach(StreamConsumer::settled);
            return !settled.isEmpty();
        }
        StreamConsumer c = streamUnacked.remove(tag);
        if (c != null) {
            c.settled();
            return true;
        }
        return false;
    }

    private void consumeReplies(BasicMethod.Consume c, String tag) {
        if (!c.noAck()) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, c.classId(), c.methodId(),
                    "reply consumer cannot acknowledge");
        }
        if (replyAddress != null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, c.classId(), c.methodId(),
                    "reply consumer already set");
        }
        replyConsumerTag = tag;
        consumersChanged();
        replyAddress = vhost().directReplyTo().register(reply -> conn.onLoop(() -> deliverReply(reply)));
        reply(c.noWait(), new BasicMethod.ConsumeOk(tag));
    }

    private void deliverReply(Message reply) {
        if (state != State.OPEN || replyAddress == null) {
            return;
        }
        long tag = ++deliveryTag;
        conn.sendContent(number, new BasicMethod.Deliver(replyConsumerTag, tag, false, reply.exchange(), reply.routingKey()),
                reply);
    }

    private static String generatedTag() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "amq.ctag-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void cancel(BasicMethod.Cancel c) {
        try {
            cancelConsumer(c);
        } finally {
            consumersChanged();
        }
    }

    private void cancelConsumer(BasicMethod.Cancel c) {
        if (c.consumerTag().equals(replyConsumerTag)) {
            vhost().directReplyTo().unregister(replyAddress);
            replyAddress = null;
            replyConsumerTag = null;
            reply(c.noWait(), new BasicMethod.CancelOk(c.consumerTag()));
            return;
        }
        StreamConsumer streamConsumer = streamConsumers.remove(c.consumerTag());
        if (streamConsumer != null) {
            streamConsumer.cancel();
            reply(c.noWait(), new BasicMethod.CancelOk(c.consumerTag()));
            return;
        }
        ChannelConsumer consumer = consumers.remove(c.consumerTag());
        if (consumer == null) {
            reply(c.noWait(), new BasicMethod.CancelOk(c.consumerTag()));
            return;
        }
        async(c, consumer.queue.cancel(consumer.tag), v -> reply(c.noWait(), new BasicMethod.CancelOk(c.consumerTag())));
    }

    /** Whether deliveries may flow to this channel now (called from queue threads). */
    boolean canDeliver() {
        return open && flowActive && conn.isWritable();
    }

    /** A queue hands over a message (on the queue's thread); it is written on the event loop. */
    void deliverFromQueue(ChannelConsumer consumer, Delivery d) {
        conn.onLoop(() -> {
            consumer.inFlight.decrementAndGet();
            if (state != State.OPEN || consumers.get(consumer.tag) != consumer) {
                d.release();
                if (!consumer.noAck) {
                    consumer.release(d.message().bodySize());
                    d.queue().requeue(List.of(d.id()));
                }
                return;
            }
            long tag = ++deliveryTag;
            if (!consumer.noAck) {
                unacked.put(tag, new Unacked(d, consumer));
                unackedChanged();
            }
            Message m = d.message();
            try {
                conn.sendContent(number, new BasicMethod.Deliver(consumer.tag, tag, d.redelivered(), m.exchange(), m.routingKey()), m);
            } finally {
                // Written: the unacknowledged entry needs the message's size and id, not its body.
                d.release();
            }
            if (consumer.inFlight.get() < ChannelConsumer.MAX_IN_FLIGHT / 2) {
                consumer.queue.wakeUp();
            }
        });
    }

    void consumerCancelledByBroker(ChannelConsumer consumer) {
        conn.onLoop(() -> {
            boolean removed = consumers.remove(consumer.tag, consumer);
            consumersChanged();
            if (removed && state == State.OPEN && conn.capability("consumer_cancel_notify")) {
                conn.send(number, new BasicMethod.Cancel(consumer.tag, true));
            }
        });
    }

    /** The socket can take writes again, or credit came back: let queues deliver. */
    void wakeConsumers() {
        Set<Queue> queues = new LinkedHashSet<>();
        for (ChannelConsumer c : consumers.values()) {
            queues.add(c.queue);
        }
        queues.forEach(Queue::wakeUp);
    }

    private void get(BasicMethod.Get g) {
        Queue queue = vhost().queueForReading(queueName(g.queue(), g), conn.client());
        // A get's message may wait for the callback on a closed channel: it is taken off any borrowed buffer.
        async(g, queue.get(g.noAck()).thenApply(d -> d.map(Delivery::detached)), found -> {
            if (found.isEmpty()) {
                conn.send(number, new BasicMethod.GetEmpty(""));
                return;
            }
            Delivery d = found.get();
            long tag = ++deliveryTag;
            if (!g.noAck()) {
                unacked.put(tag, new Unacked(d, null));
                unackedChanged();
            }
            Message m = d.message();
            conn.sendContent(number, new BasicMethod.GetOk(tag, d.redelivered(), m.exchange(), m.routingKey(),
                    clamp(d.remaining())), m);
        }, found -> found.filter(d -> !g.noAck()).ifPresent(d -> d.queue().requeue(List.of(d.id()))));
    }

    // ---------------------------------------------------------------- acknowledgements

    private void acknowledge(Method m) {
        if (txMode) {
            checkTags(m);
            txOps.add(new TxAck(m));
            return;
        }
        try {
            applyAcknowledgement(m);
        } finally {
            unackedChanged();
        }
    }

    private void checkTags(Method m) {
        long tag = switch (m) {
            case BasicMethod.Ack a -> a.deliveryTag();
            case BasicMethod.Nack n -> n.deliveryTag();
            case BasicMethod.Reject r -> r.deliveryTag();
            default -> 0;
        };
        boolean multiple = m instanceof BasicMethod.Ack a ? a.multiple() : m instanceof BasicMethod.Nack n && n.multiple();
        if (!(multiple && tag == 0) && !unacked.containsKey(tag) && !streamUnacked.containsKey(tag)
                && !(multiple && tag <= deliveryTag)) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, m.classId(), m.methodId(), "unknown delivery tag " + tag);
        }
    }

    private void applyAcknowledgement(Method m) {
        long tag;
        boolean multiple;
        Boolean requeue;
        switch (m) {
            case BasicMethod.Ack a -> {
                tag = a.deliveryTag();
                multiple = a.multiple();
                requeue = null;
            }
            case BasicMethod.Nack n -> {
                tag = n.deliveryTag();
                multiple = n.multiple();
                requeue = n.requeue();
            }
            case BasicMethod.Reject r -> {
                tag = r.deliveryTag();
                multiple = false;
                requeue = r.requeue();
            }
            default -> throw new IllegalArgumentException(m.name());
        }
        if (settleStream(tag, multiple) && !multiple) {
            return;
        }
        List<Unacked> done;
        if (multiple) {
            done = new ArrayList<>();
            long upTo = tag == 0 ? Long.MAX_VALUE : tag;
            Iterator<Map.Entry<Long, Unacked>> it = unacked.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Unacked> e = it.next();
                if (e.getKey() > upTo) {
                    break;
                }
                done.add(e.getValue());
                it.remove();
            }
            if (done.isEmpty() && tag != 0 && tag > deliveryTag) {
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, m.classId(), m.methodId(), "unknown delivery tag " + tag);
            }
        } else {
            Unacked u = unacked.remove(tag);
            if (u == null) {
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, m.classId(), m.methodId(), "unknown delivery tag " + tag);
            }
            done = List.of(u);
        }
        if (requeue == null) {
            settle(done);
        }
        for (Unacked u : done) {
            Delivery d = u.delivery();
            if (requeue != null) {
                d.queue().reject(d.id(), requeue);
            }
            if (u.consumer() != null) {
                u.consumer().release(d.message().bodySize());
            }
        }
        wakeAfterSettling(done);
    }

    /** Acknowledges settled deliveries to their queues: one task per queue for a multiple ack, not one per message. */
    private static void settle(List<Unacked> done) {
        if (done.size() == 1) {
            Delivery d = done.get(0).delivery();
            d.queue().ack(d.id());
            return;
        }
        Map<Queue, List<Long>> byQueue = new LinkedHashMap<>();
        for (Unacked u : done) {
            byQueue.computeIfAbsent(u.delivery().queue(), q -> new ArrayList<>()).add(u.delivery().id());
        }
        byQueue.forEach((q, ids) -> {
            if (ids.size() == 1) {
                q.ack(ids.get(0));
            } else {
                q.ack(ids);
            }
        });
    }

    /** Wakes each queue whose consumer got credit back, once; with a global prefetch, every consumer's queue. */
    private void wakeAfterSettling(List<Unacked> done) {
        if (done.size() == 1 && !global.limited()) {
            Unacked u = done.get(0);
            if (u.consumer() != null) {
                u.consumer().queue.wakeUp();
            }
            return;
        }
        Set<Queue> wake = new LinkedHashSet<>();
        for (Unacked u : done) {
            if (u.consumer() != null) {
                wake.add(u.consumer().queue);
            }
        }
        if (global.limited()) {
            consumers.values().forEach(c -> wake.add(c.queue));
        }
        wake.forEach(Queue::wakeUp);
    }

    private void recover(Method m, boolean requeue, boolean reply) {
        if (!requeue) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, m.classId(), m.methodId(),
                    "requeue=false").withChannel(number);
        }
        returnUnacked();
        if (reply) {
            conn.send(number, new BasicMethod.RecoverOk());
        }
    }

    /** Returns every unacknowledged message to its queue, each queue's in delivery order. */
    private void returnUnacked() {
        // Stream deliveries are not returned anywhere: the stream keeps them.
        List<StreamConsumer> settled = new ArrayList<>(streamUnacked.values());
        streamUnacked.clear();
        settled.forEach(StreamConsumer::settled);
        Map<Queue, List<Long>> byQueue = new LinkedHashMap<>();
        for (Unacked u : unacked.values()) {
            byQueue.computeIfAbsent(u.delivery().queue(), q -> new ArrayList<>()).add(u.delivery().id());
            if (u.consumer() != null) {
                u.consumer().release(u.delivery().message().bodySize());
            }
        }
        unacked.clear();
        unackedChanged();
        byQueue.forEach(Queue::requeue);
    }

    // ---------------------------------------------------------------- publishing

    private void startPublish(BasicMethod.Publish p) {
        if (p.immediate()) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, p.classId(), p.methodId(), "immediate=true")
                    .withChannel(number);
        }
        publishing = p;
        header = null;
        body = null;
    }

    /**
     * Whether a body that came in one frame, read in one piece, stays in it: one large enough to be
     * written to the log from where it is, outside a transaction (which keeps its messages until
     * commit). A body spread over several reads or frames is copied into one array as it comes:
     * joining the pieces where they are measured slower than copying them.
     */
    private boolean borrows(ByteBuf payload) {
        return payload.readableBytes() >= MessageRecords.GATHERED_BODY_BYTES && !txMode && payload.nioBufferCount() == 1;
    }

    /** Publishes the message whose body is {@code onHeap} or {@code borrowed}, and releases a borrowed one. */
    private void completePublish(byte[] onHeap, ByteBufBody borrowed) {
        BasicMethod.Publish p = publishing;
        HeaderFrame h = header;
        publishing = null;
        header = null;
        body = null;
        long now = System.currentTimeMillis();
        Message m = borrowed == null
                ? Message.withEncodedProperties(p.exchange(), p.routingKey(), h.properties(), h.rawProperties(), onHeap, now)
                : Message.withBorrowedBody(p.exchange(), p.routingKey(), h.properties(), h.rawProperties(), borrowed, now);
        try {
            publish(p, h, m);
        } finally {
            m.release();
        }
    }

    private void publish(BasicMethod.Publish p, HeaderFrame h, Message m) {
        conn.published();
        if (DirectReplyTo.PSEUDO_QUEUE.equals(h.properties().replyTo())) {
            if (replyAddress == null) {
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, p.classId(), p.methodId(),
                        "fast reply consumer does not exist");
            }
            MessageProperties props = h.properties().withReplyTo(replyAddress);
            m = m.withProperties(props);
        }
        if (txMode) {
            // Routing errors surface now, as they would without a transaction.
            vhost().exchange(m.exchange());
            txOps.add(new TxPublish(m.onHeap(), p.mandatory()));
            return;
        }
        conn.gate().beforePublish();
        long seq = confirms == null ? 0 : confirms.register();
        VirtualHost.PublishResult result;
        try {
            result = vhost().publish(m, p.mandatory(), conn.client());
        } catch (BrokerException e) {
            throw Errors.toAmqp(e, number, p.classId(), p.methodId());
        }
        if (result.returned()) {
            conn.sendContent(number, new BasicMethod.Return(ReplyCode.NO_ROUTE.code(), "NO_ROUTE", m.exchange(), m.routingKey()), m);
        }
        conn.gate().whenStored(m.bodySize(), result.stored(), (ok, e) -> {
            if (e != null && StorageFailures.storageCause(e) != null) {
                conn.storageFailures().failed(e, confirms != null ? "publishers in confirm mode get basic.nack" : "not confirmed");
            } else if (e == null) {
                conn.storageFailures().stored();
            }
            if (confirms != null && state == State.OPEN) {
                confirms.complete(seq, e == null && Boolean.TRUE.equals(ok));
            }
        });
    }

    private void confirmSelect(ConfirmMethod.Select s) {
        if (txMode) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, s.classId(), s.methodId(),
                    "cannot switch from tx to confirm mode");
        }
        if (confirms == null) {
            confirms = new ConfirmTracker(new ConfirmTracker.Sender() {
                @Override
                public void ack(long seq, boolean multiple) {
                    conn.send(number, new BasicMethod.Ack(seq, multiple));
                }

                @Override
                public void nack(long seq) {
                    conn.send(number, new BasicMethod.Nack(seq, false, false));
                }
            });
        }
        reply(s.noWait(), new ConfirmMethod.SelectOk());
    }

    // ---------------------------------------------------------------- transactions

    private void txSelect() {
        if (confirms != null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, TxMethod.CLASS_ID, 10,
                    "cannot switch from confirm to tx mode");
        }
        txMode = true;
        conn.send(number, new TxMethod.SelectOk());
    }

    private void txCommit(Method m) {
        if (!txMode) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, m.classId(), m.methodId(),
                    "channel is not transactional");
        }
        List<TxOp> ops = new ArrayList<>(txOps);
        txOps.clear();
        List<CompletableFuture<Boolean>> stored = new ArrayList<>();
        for (TxOp op : ops) {
            switch (op) {
                case TxPublish tp -> {
                    VirtualHost.PublishResult r = vhost().publish(tp.message(), tp.mandatory(), conn.client());
                    if (r.returned()) {
                        Message msg = tp.message();
                        conn.sendContent(number, new BasicMethod.Return(ReplyCode.NO_ROUTE.code(), "NO_ROUTE",
                                msg.exchange(), msg.routingKey()), msg);
                    }
                    stored.add(r.stored());
                }
                case TxAck ta -> applyAcknowledgement(ta.method());
            }
        }
        unackedChanged();
        async(m, CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)), v -> conn.send(number, new TxMethod.CommitOk()));
    }

    private void txRollback() {
        if (!txMode) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, number, TxMethod.CLASS_ID, 30,
                    "channel is not transactional");
        }
        txOps.clear();
        conn.send(number, new TxMethod.RollbackOk());
    }

    // ---------------------------------------------------------------- closing

    /** Starts closing on an error: channel.close goes out, and frames are dropped until close-ok. */
    void closeWithError(AmqpException e) {
        if (state != State.OPEN) {
            return;
        }
        cleanUp();
        state = State.CLOSING;
        conn.send(number, new ChannelMethod.Close(e.code(), e.replyText(), e.classId(), e.methodId()));
    }

    private void finishClose() {
        cleanUp();
        state = State.CLOSED;
        conn.channelClosed(this);
    }

    /**
     * The connection is closing or gone: the channel lets go of everything, and answers still on
     * their way (a basic.get's message, a consumer being registered) find it closed.
     */
    void connectionEnded() {
        cleanUp();
        state = State.CLOSED;
    }

    /** Releases everything the channel holds: consumers cancelled, unacknowledged messages returned. */
    private void cleanUp() {
        if (!open) {
            return;
        }
        open = false;
        for (ChannelConsumer c : consumers.values()) {
            c.queue.cancel(c.tag);
        }
        consumers.clear();
        streamConsumers.values().forEach(StreamConsumer::cancel);
        streamConsumers.clear();
        if (replyAddress != null) {
            vhost().directReplyTo().unregister(replyAddress);
            replyAddress = null;
        }
        replyConsumerTag = null;
        consumersChanged();
        returnUnacked();
        txOps.clear();
        for (Frame f : backlog) {
            release(f);
        }
        backlog.clear();
        publishing = null;
        header = null;
        body = null;
        conn.resumeReading(this);
    }

    private static void release(Frame f) {
        if (f instanceof BodyFrame b) {
            b.release();
        }
    }
}
