package io.wharf.protocol.stomp;

import io.wharf.core.WharfVersion;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.stomp.DefaultStompFrame;
import io.netty.handler.codec.stomp.StompCommand;
import io.netty.handler.codec.stomp.StompFrame;
import io.netty.handler.codec.stomp.StompHeaders;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.Broker;
import io.wharf.core.BrokerException;
import io.wharf.core.session.Login;
import io.wharf.core.session.PublishGate;
import io.wharf.protocol.common.ReadPauses;
import io.wharf.core.auth.Client;
import io.wharf.core.auth.User;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.exchange.Binding;
import io.wharf.core.message.Message;
import io.wharf.core.queue.ConsumerSpec;
import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.common.ConnectionTracker;
import io.wharf.protocol.common.StorageFailures;
import io.wharf.protocol.common.LoopInbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One STOMP 1.0, 1.1 or 1.2 connection: CONNECT, SEND into exchanges, subscriptions as queue
 * consumers with auto, client and client-individual acknowledgements, receipts, transactions,
 * heart-beats and temporary reply queues, with destinations as RabbitMQ's STOMP plugin names them.
 *
 * <p>Confined to the channel's event loop; work finished elsewhere comes back through
 * {@link #onLoop}.
 */
final class StompConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(StompConnection.class);
    private static final String PROTOCOL = "STOMP";
    private static final List<String> VERSIONS = List.of("1.2", "1.1", "1.0");
    /** Unacknowledged messages per subscription with client acknowledgements when the client sets no prefetch-count. */
    private static final int DEFAULT_PREFETCH = 1000;

    private enum State { AWAIT_CONNECT, CONNECTED, CLOSED }

    private final Broker broker;
    private final StompSettings settings;
    private ChannelHandlerContext ctx;
    private ReadPauses readPauses;
    private PublishGate gate;
    private ClientConnection connection;
    private LoopInbox inbox;
    private State state = State.AWAIT_CONNECT;
    private String version = "1.0";
    private String name;
    private String session;
    private Client client;
    private VirtualHost vhost;
    private final Map<String, StompSubscription> subscriptions = new LinkedHashMap<>();
    /** The subscriptions as operators see them; replaced when one starts or ends, read from any thread. */
    private volatile List<StompSubscription> shownSubscriptions = List.of();
    /** Frames of open transactions, run at COMMIT. */
    private final Map<String, List<StompFrame>> transactions = new HashMap<>();
    /** The queues behind this connection's /temp-queue/ names. */
    private final Map<String, String> tempQueues = new HashMap<>();
    /** /queue/ destinations already declared by this connection. */
    private final Set<String> declaredQueues = new HashSet<>();
    private long deliveries;
    /**
     * Frames are handled one after the other, as the client sent them: while one waits for the
     * broker (a queue declared, a subscription set up), those after it wait here.
     */
    private final java.util.ArrayDeque<Runnable> backlog = new java.util.ArrayDeque<>();
    private boolean busy;
    /** Why reading stops while a frame waits for the broker: the frames behind it must wait too. */
    private static final Object BUSY = "busy";

    StompConnection(Broker broker, StompSettings settings) {
        this.broker = broker;
        this.settings = settings;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.readPauses = new ReadPauses(ctx.channel());
        this.name = String.valueOf(ctx.channel().remoteAddress());
        this.inbox = new LoopInbox(ctx.executor(), ctx::flush);
        connection = ConnectionTracker.track(ctx.channel(), broker.connections(), PROTOCOL, this::closeByOperator);
        connection.sessions(this::sessions);
        connection.owner(this);
        ctx.fireChannelActive();
    }

    /**
     * The session once connected: its subscriptions, the deliveries they await acknowledgements
     * for, and the prefetch of those that acknowledge (automatic ones have none).
     */
    private List<ClientConnection.Session> sessions() {
        String id = session;
        if (id == null) {
            return List.of();
        }
        List<StompSubscription> subs = shownSubscriptions;
        long unacked = 0;
        int prefetch = 0;
        for (StompSubscription sub : subs) {
            unacked += sub.unacknowledged();
            prefetch += sub.prefetch();
        }
        return List.of(new ClientConnection.Session(id, subs.size(), unacked, prefetch));
    }

    private void subscriptionsChanged() {
        shownSubscriptions = List.copyOf(subscriptions.values());
    }

    /** Closes the connection on an operator's request: an ERROR frame whose message is the reason, then the socket. */
    private void closeByOperator(String reason) {
        LOG.info("STOMP connection {}: closed by an operator: {}", name, reason);
        error(reason, "The connection was closed by an operator: " + reason, null);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    boolean writable() {
        return state == State.CONNECTED && ctx.channel().isWritable();
    }

    void onLoop(Runnable r) {
        inbox.submit(r);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            subscriptions.values().forEach(s -> s.queue.wakeUp());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.WRITER_IDLE) {
                // A heart-beat: one end-of-line between frames.
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'\n'}));
            } else if (e.state() == IdleState.READER_IDLE) {
                LOG.info("STOMP connection {}: no heart-beat from the client in time; closing it", name);
                ctx.close();
                state = State.CLOSED;
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.DecoderException || cause instanceof io.netty.handler.codec.TooLongFrameException
                || cause instanceof io.netty.handler.codec.MessageAggregationException) {
            // The codec could not make a frame of what came: say so, then close.
            boolean tooLong = cause instanceof io.netty.handler.codec.TooLongFrameException
                    || cause.getCause() instanceof io.netty.handler.codec.TooLongFrameException;
            refuse(tooLong ? "FRAME_TOO_LARGE" : "MALFORMED_FRAME", tooLong ? "frame too large" : "malformed frame",
                    String.valueOf(cause.getMessage()), null);
            return;
        }
        LOG.debug("STOMP connection {}: {}", name, cause.toString());
        ctx.close();
    }

    // ---------------------------------------------------------------- frames in

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof StompFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy) {
            backlog.add(() -> process(frame));
            return;
        }
        process(frame);
    }

    /** Handles one frame and releases it. */
    private void process(StompFrame frame) {
        try {
            if (frame.decoderResult().isFailure()) {
                refuse("MALFORMED_FRAME", "malformed frame", String.valueOf(frame.decoderResult().cause().getMessage()), null);
                return;
            }
            if (state == State.CLOSED) {
                return;
            }
            StompCommand command = frame.command();
            if (state == State.AWAIT_CONNECT && command != StompCommand.CONNECT && command != StompCommand.STOMP) {
                refuse("NOT_CONNECTED", "not connected", "the first frame must be CONNECT or STOMP, not " + command, null);
                return;
            }
            handle(frame);
        } catch (BrokerException e) {
            refuse(e.kind().name(), e.getMessage(), e.getMessage(), frame.headers().getAsString(StompHeaders.RECEIPT));
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    /** Holds the frames after this one until {@code work} is done. */
    private void awaitBeforeNext(CompletableFuture<?> work) {
        if (work.isDone()) {
            return;
        }
        busy = true;
        readPauses.pause(BUSY);
        work.whenComplete((v, e) -> onLoop(() -> {
            busy = false;
            while (!busy && !backlog.isEmpty() && state != State.CLOSED) {
                backlog.poll().run();
            }
            if (!busy && state != State.CLOSED) {
                readPauses.resume(BUSY);
            }
        }));
    }

    private void handle(StompFrame frame) {
        switch (frame.command()) {
            case CONNECT, STOMP -> {
                if (state != State.AWAIT_CONNECT) {
                    throw BrokerException.preconditionFailed("already connected");
                }
                connect(frame);
            }
            case SEND -> inTransactionOr(frame, () -> send(frame));
            case SUBSCRIBE -> subscribe(frame);
            case UNSUBSCRIBE -> unsubscribe(frame);
            case ACK -> inTransactionOr(frame, () -> acknowledge(frame, true));
            case NACK -> inTransactionOr(frame, () -> acknowledge(frame, false));
            case BEGIN -> begin(frame);
            case COMMIT -> commit(frame);
            case ABORT -> abort(frame);
            case DISCONNECT -> disconnect(frame);
            default -> throw BrokerException.preconditionFailed("unknown command " + frame.command());
        }
    }

    private static String header(StompFrame f, String name) {
        return f.headers().getAsString(name);
    }

    private static String required(StompFrame f, String name) {
        String v = header(f, name);
        if (v == null) {
            throw BrokerException.preconditionFailed("header '" + name + "' is required for " + f.command());
        }
        return v;
    }

    /** Sends a RECEIPT if the frame asked for one. */
    private void receipt(StompFrame f) {
        String r = header(f, StompHeaders.RECEIPT.toString());
        if (r != null && state == State.CONNECTED) {
            DefaultStompFrame out = new DefaultStompFrame(StompCommand.RECEIPT);
            out.headers().set(StompHeaders.RECEIPT_ID, r);
            ctx.write(out);
        }
    }

    /**
     * Refuses a frame: an ERROR frame and the connection closed, counted under {@code errorName}
     * (STOMP has no error codes: Wharf names them, as MALFORMED_FRAME or the broker's reason
     * such as NOT_FOUND and PRECONDITION_FAILED).
     */
    private void refuse(String errorName, String message, String detail, String receiptId) {
        if (state != State.CLOSED) {
            broker.connections().rejected(PROTOCOL, errorName);
        }
        error(message, detail, receiptId);
    }

    /**
     * Reports a problem in an ERROR frame and closes the connection, as STOMP servers do.
     */
    private void error(String message, String detail, String receiptId) {
        if (state == State.CLOSED) {
            return;
        }
        LOG.info("STOMP connection {}: {}", name, detail);
        DefaultStompFrame out = new DefaultStompFrame(StompCommand.ERROR,
                Unpooled.copiedBuffer(detail == null ? "" : detail, StandardCharsets.UTF_8));
        out.headers().set(StompHeaders.MESSAGE, oneLine(message));
        out.headers().set(StompHeaders.CONTENT_TYPE, "text/plain");
        out.headers().setInt(StompHeaders.CONTENT_LENGTH, out.content().readableBytes());
        if (receiptId != null) {
            out.headers().set(StompHeaders.RECEIPT_ID, receiptId);
        }
        state = State.CLOSED;
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').replace(':', ' ');
    }

    private void failed(Throwable e, StompFrame f) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String receipt = header(f, StompHeaders.RECEIPT.toString());
        if (StorageFailures.storageCause(e) != null) {
            String message = StorageFailures.diskFull(e) ? "message not stored: the disk is full" : "message not stored";
            onLoop(() -> refuse("STORAGE_ERROR", message, message + " (" + cause.getMessage() + ")", receipt));
            return;
        }
        String errorName = cause instanceof BrokerException b ? b.kind().name() : "INTERNAL_ERROR";
        onLoop(() -> refuse(errorName, cause.getMessage(), cause.getMessage(), receipt));
    }

    // ---------------------------------------------------------------- connect

    private void connect(StompFrame f) {
        String accept = header(f, StompHeaders.ACCEPT_VERSION.toString());
        if (accept == null) {
            version = "1.0";
        } else {
            List<String> offered = List.of(accept.split(","));
            version = VERSIONS.stream().filter(offered::contains).findFirst().orElse(null);
            if (version == null) {
                broker.connections().rejected(PROTOCOL, "UNSUPPORTED_VERSION");
                DefaultStompFrame out = new DefaultStompFrame(StompCommand.ERROR,
                        Unpooled.copiedBuffer("Supported protocol versions are 1.0,1.1,1.2", StandardCharsets.UTF_8));
                out.headers().set(StompHeaders.VERSION, "1.0,1.1,1.2");
                out.headers().set(StompHeaders.MESSAGE, "unsupported protocol version " + accept);
                out.headers().set(StompHeaders.CONTENT_TYPE, "text/plain");
                state = State.CLOSED;
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        String host = header(f, StompHeaders.HOST.toString());
        connection.protocolVersion(version);
        connection.clientId(host);
        if (accept != null) {
            connection.clientProperties(Map.of("accept-version", accept));
        }
        // The host header names the virtual host, as with RabbitMQ; clients that put a host name there get the default one.
        vhost = broker.vhost(host == null ? settings.defaultVhost() : host)
                .or(() -> broker.vhost(settings.defaultVhost())).orElse(null);
        String loginName = header(f, StompHeaders.LOGIN.toString());
        Login.Outcome login = broker.authentication().passwordOrAnonymous(loginName, header(f, StompHeaders.PASSCODE.toString()),
                ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null, settings.anonymousUser());
        if (!(login instanceof Login.Accepted accepted) || vhost == null) {
            LOG.info("STOMP connection {}: login refused for user '{}': {}", name, loginName,
                    login instanceof Login.Refused r ? r.reason() : "no virtual host '" + host + "' nor a default one");
            refuse("ACCESS_REFUSED", "Access refused for user '" + loginName + "'",
                    "Login was refused. For details see the broker logfile.", null);
            return;
        }
        User user = accepted.user();
        Optional<String> vhostRefused = broker.authentication().vhostRefusal(user, vhost.name());
        if (vhostRefused.isPresent()) {
            refuse("ACCESS_REFUSED", "Virtual host '" + vhost.name() + "' access denied", vhostRefused.get(), null);
            return;
        }
        client = new Client(user, this, "STOMP " + name);
        connection.authenticated(user.name(), vhost.name());
        gate = new PublishGate(broker.alarms(), this::onLoop, PublishGate.Limits.DEFAULT, readPauses.valve(), connection);
        session = "session-" + UUID.randomUUID();
        long[] hb = heartBeats(header(f, StompHeaders.HEART_BEAT.toString()));
        DefaultStompFrame out = new DefaultStompFrame(StompCommand.CONNECTED);
        out.headers().set(StompHeaders.VERSION, version);
        out.headers().set(StompHeaders.SESSION, session);
        out.headers().set(StompHeaders.SERVER, "Wharf/" + WharfVersion.current());
        if (!version.equals("1.0")) {
            out.headers().set(StompHeaders.HEART_BEAT, settings.heartbeatMs() + "," + settings.heartbeatMs());
        }
        state = State.CONNECTED;
        ctx.write(out);
        if (hb[0] > 0 || hb[1] > 0) {
            // Silence from the client for twice its heart-beat period ends the connection.
            ctx.pipeline().addBefore("decoder", "heart-beat", new IdleStateHandler(hb[1] * 2, hb[0], 0, TimeUnit.MILLISECONDS));
        }
    }

    /** The heart-beats agreed: how often Wharf sends, and how often the client must, in ms (0: never). */
    private long[] heartBeats(String asked) {
        if (asked == null || version.equals("1.0") || settings.heartbeatMs() == 0) {
            return new long[] {0, 0};
        }
        String[] parts = asked.split(",");
        if (parts.length != 2) {
            throw BrokerException.preconditionFailed("heart-beat must be two numbers, got '" + asked + "'");
        }
        long cx;
        long cy;
        try {
            cx = Long.parseLong(parts[0].trim());
            cy = Long.parseLong(parts[1].trim());
        } catch (NumberFormatException e) {
            throw BrokerException.preconditionFailed("heart-beat must be two numbers, got '" + asked + "'");
        }
        long ours = settings.heartbeatMs();
        long send = cy == 0 ? 0 : Math.max(ours, cy);
        long receive = cx == 0 ? 0 : Math.max(ours, cx);
        return new long[] {send, receive};
    }

    // ---------------------------------------------------------------- send

    private void inTransactionOr(StompFrame f, Runnable now) {
        String tx = header(f, StompHeaders.TRANSACTION.toString());
        if (tx == null) {
            now.run();
            return;
        }
        List<StompFrame> frames = transactions.get(tx);
        if (frames == null) {
            throw BrokerException.preconditionFailed("transaction '" + tx + "' was not begun");
        }
        StompFrame kept = f.retainedDuplicate();
        // Its receipt is for taking it into the transaction: running it at COMMIT sends none.
        kept.headers().remove(StompHeaders.RECEIPT);
        frames.add(kept);
        receipt(f);
    }

    private void send(StompFrame f) {
        StompDestination d = StompDestination.parse(required(f, StompHeaders.DESTINATION.toString()));
        gate.beforePublish();
        connection.messageIn();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, String>> it = f.headers().iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            // A repeated header counts with its first value (STOMP 1.2).
            headers.putIfAbsent(e.getKey(), e.getValue());
        }
        byte[] body = ByteBufUtil.getBytes(f.content());
        CompletableFuture<String> replyTo = replyQueue(headers.get("reply-to"));
        // The routing key is settled here, on the loop that owns the temporary queues' names.
        CompletableFuture<String> routingKey = switch (d.kind()) {
            case TEMP_QUEUE -> ensureTempQueue(d.name());
            case QUEUE -> declareQueue(d.name()).thenApply(v -> d.sendRoutingKey());
            default -> CompletableFuture.completedFuture(d.sendRoutingKey());
        };
        awaitBeforeNext(CompletableFuture.allOf(routingKey, replyTo));
        CompletableFuture<Boolean> stored = routingKey.thenCombine(replyTo, (key, reply) -> {
            Message m = Message.of(d.sendExchange(), key, StompMessages.properties(headers, reply), body, System.currentTimeMillis());
            return vhost.publish(m, false, client);
        }).thenCompose(VirtualHost.PublishResult::stored);
        gate.whenStored(body.length, stored, (ok, e) -> {
            if (e != null) {
                failed(e, f);
            } else {
                receipt(f);
            }
        });
    }

    /** For a reply-to of /temp-queue/x: the connection's own queue, subscribed, named as /reply-queue/... in the message. */
    private CompletableFuture<String> replyQueue(String replyTo) {
        if (replyTo == null || !replyTo.startsWith("/temp-queue/")) {
            return CompletableFuture.completedFuture(null);
        }
        return ensureTempQueue(replyTo.substring("/temp-queue/".length())).thenApply(q -> "/reply-queue/" + q);
    }

    /** The queue behind /temp-queue/{@code name}: exclusive to this connection, consumed by it from its creation. */
    private CompletableFuture<String> ensureTempQueue(String name) {
        String existing = tempQueues.get(name);
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        String queueName = "stomp-temp-queue-" + session + "-" + name;
        tempQueues.put(name, queueName);
        return vhost.declareQueue(new QueueDefinition(queueName, false, true, true, Map.of()), false, client).thenCompose(ok -> {
            CompletableFuture<String> done = new CompletableFuture<>();
            onLoop(() -> {
                try {
                    startSubscription("/temp-queue/" + name, vhost.queueForReading(queueName, client), StompSubscription.AckMode.AUTO,
                            DEFAULT_PREFETCH, "/temp-queue/" + name).whenComplete((v, e) -> {
                                if (e != null) {
                                    done.completeExceptionally(e);
                                } else {
                                    done.complete(queueName);
                                }
                            });
                } catch (BrokerException e) {
                    done.completeExceptionally(e);
                }
            });
            return done;
        });
    }

    private CompletableFuture<Void> declareQueue(String queue) {
        if (declaredQueues.contains(queue)) {
            return CompletableFuture.completedFuture(null);
        }
        return vhost.declareQueue(new QueueDefinition(queue, true, false, false, Map.of()), false, client)
                .thenRun(() -> onLoop(() -> declaredQueues.add(queue)));
    }

    // ---------------------------------------------------------------- subscriptions

    private void subscribe(StompFrame f) {
        String destination = required(f, StompHeaders.DESTINATION.toString());
        String id = header(f, StompHeaders.ID.toString());
        if (id == null) {
            if (!version.equals("1.0")) {
                throw BrokerException.preconditionFailed("header 'id' is required for SUBSCRIBE");
            }
            id = destination;
        }
        if (subscriptions.containsKey(id)) {
            throw BrokerException.preconditionFailed("a subscription with id '" + id + "' already exists");
        }
        StompSubscription.AckMode mode = switch (header(f, StompHeaders.ACK.toString()) == null ? "auto" : header(f, "ack")) {
            case "auto" -> StompSubscription.AckMode.AUTO;
            case "client" -> StompSubscription.AckMode.CLIENT;
            case "client-individual" -> StompSubscription.AckMode.CLIENT_INDIVIDUAL;
            default -> throw BrokerException.preconditionFailed("ack must be auto, client or client-individual, got '"
                    + header(f, "ack") + "'");
        };
        int prefetch = DEFAULT_PREFETCH;
        String p = header(f, "prefetch-count");
        if (p != null) {
            try {
                prefetch = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw BrokerException.preconditionFailed("prefetch-count must be a number, got '" + p + "'");
            }
            prefetch = prefetch <= 0 ? Integer.MAX_VALUE : prefetch;
        }
        StompDestination d = StompDestination.parse(destination);
        String subscriptionId = id;
        int window = prefetch;
        boolean durable = "true".equals(header(f, "durable")) || "true".equals(header(f, "persistent"));
        CompletableFuture<String> queueName = switch (d.kind()) {
            case QUEUE -> declareQueue(d.name()).thenApply(v -> d.name());
            case AMQ_QUEUE, REPLY_QUEUE -> CompletableFuture.completedFuture(d.name());
            case TEMP_QUEUE -> ensureTempQueue(d.name());
            case TOPIC, EXCHANGE -> bindSubscriptionQueue(d, subscriptionId, durable);
        };
        if (d.kind() == StompDestination.Kind.TEMP_QUEUE) {
            // The temporary queue is consumed by the connection itself from its creation.
            awaitBeforeNext(queueName);
            queueName.whenComplete((q, e) -> onLoop(() -> {
                if (e != null) {
                    failed(e, f);
                } else {
                    receipt(f);
                }
            }));
            return;
        }
        CompletableFuture<Void> subscribed = queueName.thenCompose(q -> {
            CompletableFuture<Void> started = new CompletableFuture<>();
            onLoop(() -> {
                try {
                    startSubscription(subscriptionId, vhost.queueForReading(q, client), mode, window, null)
                            .whenComplete((v, e) -> {
                                if (e != null) {
                                    started.completeExceptionally(e);
                                } else {
                                    started.complete(null);
                                }
                            });
                } catch (BrokerException e) {
                    started.completeExceptionally(e);
                }
            });
            return started;
        });
        awaitBeforeNext(subscribed);
        subscribed.whenComplete((v, e) -> {
            if (e != null) {
                failed(e, f);
            } else {
                onLoop(() -> receipt(f));
            }
        });
    }

    /**
     * A topic or exchange subscription's queue: exclusive and deleted with the subscription, or,
     * for a durable subscription, a durable queue named after the subscription that outlives it.
     */
    private CompletableFuture<String> bindSubscriptionQueue(StompDestination d, String id, boolean durable) {
        QueueDefinition def = durable
                ? new QueueDefinition("stomp-subscription-" + id, true, false, false, Map.of())
                : new QueueDefinition("", false, true, true, Map.of());
        return vhost.declareQueue(def, false, client).thenCompose(declared -> vhost.bind(
                new Binding(d.name(), false, declared.name(), d.key(), Map.of()), client).thenApply(v -> declared.name()));
    }

    private CompletableFuture<Void> startSubscription(String id, Queue queue, StompSubscription.AckMode mode, int prefetch,
                                                      String shownDestination) {
        StompSubscription s = new StompSubscription(this, id, queue, mode, prefetch, shownDestination);
        subscriptions.put(id, s);
        subscriptionsChanged();
        return queue.consume(new ConsumerSpec(s.consumerTag(), mode == StompSubscription.AckMode.AUTO, false, 0, this, s));
    }

    private void unsubscribe(StompFrame f) {
        String id = header(f, StompHeaders.ID.toString());
        if (id == null && version.equals("1.0")) {
            id = header(f, StompHeaders.DESTINATION.toString());
        }
        if (id == null) {
            throw BrokerException.preconditionFailed("header 'id' is required for UNSUBSCRIBE");
        }
        StompSubscription s = subscriptions.remove(id);
        subscriptionsChanged();
        if (s == null) {
            throw BrokerException.preconditionFailed("no subscription with id '" + id + "'");
        }
        release(s).whenComplete((v, e) -> onLoop(() -> receipt(f)));
    }

    /** Ends a subscription: what it had not acknowledged goes back to its queue. */
    private CompletableFuture<Boolean> release(StompSubscription s) {
        s.active = false;
        List<Long> unacked = new ArrayList<>();
        s.awaitingAck.values().forEach(d -> unacked.add(d.id()));
        s.awaitingAck.clear();
        s.queue.requeue(unacked);
        return s.queue.cancel(s.consumerTag());
    }

    void subscriptionGone(StompSubscription s, String reason) {
        onLoop(() -> {
            if (subscriptions.remove(s.id, s)) {
                subscriptionsChanged();
                error("subscription '" + s.id + "' ended", "its queue went away: " + reason, null);
            }
        });
    }

    // ---------------------------------------------------------------- deliveries

    void deliverLater(StompSubscription s, Delivery d) {
        onLoop(() -> deliver(s, d));
    }

    private void deliver(StompSubscription s, Delivery d) {
        if (state != State.CONNECTED || subscriptions.get(s.id) != s) {
            if (s.ackMode != StompSubscription.AckMode.AUTO) {
                d.queue().requeue(List.of(d.id()));
                s.settled(1);
            }
            return;
        }
        Message m = d.message();
        String messageId = "T_" + s.id + "@@" + session + "@@" + (++deliveries);
        DefaultStompFrame out = new DefaultStompFrame(StompCommand.MESSAGE, Unpooled.wrappedBuffer(m.body()));
        out.headers().set(StompHeaders.SUBSCRIPTION, s.id);
        out.headers().set(StompHeaders.DESTINATION, s.shownDestination != null ? s.shownDestination : StompDestination.of(m));
        out.headers().set(StompHeaders.MESSAGE_ID, messageId);
        if (s.ackMode != StompSubscription.AckMode.AUTO) {
            if (version.equals("1.2")) {
                out.headers().set(StompHeaders.ACK, messageId);
            }
            s.awaitingAck.put(messageId, d);
        }
        out.headers().set("redelivered", Boolean.toString(d.redelivered()));
        StompMessages.headers(m).forEach((k, v) -> out.headers().set(k, v));
        out.headers().setInt(StompHeaders.CONTENT_LENGTH, m.bodySize());
        ctx.write(out, ctx.voidPromise());
        connection.messagesOut(1);
    }

    private void acknowledge(StompFrame f, boolean ack) {
        String id = header(f, version.equals("1.2") ? StompHeaders.ID.toString() : StompHeaders.MESSAGE_ID.toString());
        if (id == null) {
            throw BrokerException.preconditionFailed("header '" + (version.equals("1.2") ? "id" : "message-id")
                    + "' is required for " + f.command());
        }
        StompSubscription s = null;
        for (StompSubscription candidate : subscriptions.values()) {
            if (candidate.awaitingAck.containsKey(id)) {
                s = candidate;
                break;
            }
        }
        if (s == null) {
            throw BrokerException.preconditionFailed("no message with id '" + id + "' awaits an acknowledgement");
        }
        List<Delivery> settled = new ArrayList<>();
        if (s.ackMode == StompSubscription.AckMode.CLIENT) {
            // Cumulative: this message and every earlier one of the subscription.
            Iterator<Map.Entry<String, Delivery>> it = s.awaitingAck.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Delivery> e = it.next();
                settled.add(e.getValue());
                it.remove();
                if (e.getKey().equals(id)) {
                    break;
                }
            }
        } else {
            settled.add(s.awaitingAck.remove(id));
        }
        boolean requeue = !"false".equals(header(f, "requeue"));
        for (Delivery d : settled) {
            if (ack) {
                d.queue().ack(d.id());
            } else {
                d.queue().reject(d.id(), requeue);
            }
        }
        s.settled(settled.size());
        receipt(f);
    }

    // ---------------------------------------------------------------- transactions

    private void begin(StompFrame f) {
        String tx = required(f, StompHeaders.TRANSACTION.toString());
        if (transactions.putIfAbsent(tx, new ArrayList<>()) != null) {
            throw BrokerException.preconditionFailed("transaction '" + tx + "' is already open");
        }
        receipt(f);
    }

    private void commit(StompFrame f) {
        String tx = required(f, StompHeaders.TRANSACTION.toString());
        List<StompFrame> frames = transactions.remove(tx);
        if (frames == null) {
            throw BrokerException.preconditionFailed("transaction '" + tx + "' was not begun");
        }
        // The transaction's frames run now, in order and ahead of anything sent after the COMMIT;
        // the COMMIT's receipt follows them.
        String receiptId = header(f, StompHeaders.RECEIPT.toString());
        backlog.addFirst(() -> {
            if (receiptId != null && state == State.CONNECTED) {
                DefaultStompFrame out = new DefaultStompFrame(StompCommand.RECEIPT);
                out.headers().set(StompHeaders.RECEIPT_ID, receiptId);
                ctx.write(out);
            }
        });
        for (int i = frames.size() - 1; i >= 0; i--) {
            StompFrame frame = frames.get(i);
            backlog.addFirst(() -> runCommitted(frame));
        }
        if (!busy) {
            while (!busy && !backlog.isEmpty() && state != State.CLOSED) {
                backlog.poll().run();
            }
        }
    }

    /** Runs a frame of a committed transaction and releases it. */
    private void runCommitted(StompFrame frame) {
        try {
            if (state != State.CONNECTED) {
                return;
            }
            switch (frame.command()) {
                case SEND -> send(frame);
                case ACK -> acknowledge(frame, true);
                case NACK -> acknowledge(frame, false);
                default -> throw BrokerException.preconditionFailed("cannot run " + frame.command() + " in a transaction");
            }
        } catch (BrokerException e) {
            refuse(e.kind().name(), e.getMessage(), e.getMessage(), null);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void abort(StompFrame f) {
        String tx = required(f, StompHeaders.TRANSACTION.toString());
        List<StompFrame> frames = transactions.remove(tx);
        if (frames == null) {
            throw BrokerException.preconditionFailed("transaction '" + tx + "' was not begun");
        }
        frames.forEach(ReferenceCountUtil::release);
        receipt(f);
    }

    // ---------------------------------------------------------------- disconnect

    private void disconnect(StompFrame f) {
        String r = header(f, StompHeaders.RECEIPT.toString());
        state = State.CLOSED;
        if (r != null) {
            DefaultStompFrame out = new DefaultStompFrame(StompCommand.RECEIPT);
            out.headers().set(StompHeaders.RECEIPT_ID, r);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        if (gate != null) {
            gate.close();
        }
        for (StompSubscription s : subscriptions.values()) {
            release(s);
        }
        subscriptions.clear();
        shownSubscriptions = List.of();
        transactions.values().forEach(frames -> frames.forEach(ReferenceCountUtil::release));
        transactions.clear();
        // Frames still waiting are dropped; running them releases what they hold.
        while (!backlog.isEmpty()) {
            backlog.poll().run();
        }
        if (vhost != null) {
            vhost.connectionClosed(this);
        }
        ctx.fireChannelInactive();
    }
}
