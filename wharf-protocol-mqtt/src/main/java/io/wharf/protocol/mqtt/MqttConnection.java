package io.wharf.protocol.mqtt;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.wharf.core.BrokerException;
import io.wharf.core.Broker;
import io.wharf.core.alarm.ResourceAlarms;
import io.wharf.core.auth.Client;
import io.wharf.core.session.Authentication;
import io.wharf.core.session.CreditWindow;
import io.wharf.core.session.Login;
import io.wharf.core.session.PublishGate;
import io.wharf.core.session.SessionStore;
import io.wharf.core.auth.User;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.connection.ClientConnections;
import io.wharf.core.message.Message;
import io.wharf.core.queue.ConsumerSpec;
import io.wharf.core.queue.Delivery;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.common.ConnectionTracker;
import io.wharf.protocol.common.ReadPauses;
import io.wharf.protocol.common.StorageFailures;
import io.wharf.protocol.common.LoopInbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One MQTT 3.1.1 or 5 connection: CONNECT and its session, publishes into the {@code amq.topic}
 * exchange, subscriptions as bindings of the session's queue, and deliveries from that queue
 * with QoS 0, 1 and 2.
 *
 * <p>Confined to the channel's event loop; work finished elsewhere comes back through
 * {@link #onLoop}.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    private static final String PROTOCOL = "MQTT";
    private static final String CONSUMER_TAG = "mqtt";

    /** Session expiry meaning "never", in MQTT 5's seconds. */
    private static final long NEVER_EXPIRES = 0xFFFF_FFFFL;
    /** Topic aliases a client may set up towards the broker. */
    private static final int TOPIC_ALIAS_MAXIMUM = 1024;
    /**
     * QoS 1 and 2 publishes a client may have under way towards the broker (MQTT 5's Receive
     * Maximum): a QoS 1 publish until its PUBACK, a QoS 2 one until its PUBCOMP.
     */
    private static final int RECEIVE_MAXIMUM = 1024;

    private enum State { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }

    /** A will: published if the connection ends without a normal DISCONNECT. */
    private record Will(String topic, byte[] payload, int qos, boolean retain, MqttProperties properties, long delayMs) {
    }

    private final Authentication authentication;
    private final ClientConnections registry;
    private final ResourceAlarms alarms;
    private final VirtualHost vhost;
    private final MqttSettings settings;
    private final MqttSessions sessions;

    private ChannelHandlerContext ctx;
    private ClientConnection connection;
    private LoopInbox inbox;
    private ReadPauses readPauses;
    private PublishGate gate;
    /** QoS 1 publishes of this connection not yet acknowledged, towards Receive Maximum. */
    private int qos1Receiving;
    /** Packet ids of this connection's QoS 2 publishes not yet released, towards Receive Maximum. */
    private final Set<Integer> qos2Receiving = new HashSet<>();
    private State state = State.AWAIT_CONNECT;
    private int version;
    private String name;
    private StorageFailures storageFailures;
    private Client client;
    /** The session this connection holds, once the previous holder let go of it. */
    private MqttSession session;
    /** The session being taken at CONNECT, so a connection lost meanwhile still lets go of it. */
    private CompletableFuture<MqttSessions.Taken> taking;
    private long sessionExpirySeconds;
    private Will will;
    /** The session's own queue, once consumed. */
    private Queue queue;
    /** Shared subscriptions' queues this connection consumes, each with its subscription. */
    private final Map<Queue, MqttSession.Subscription> sharedQueues = new LinkedHashMap<>();
    private final List<MqttSubscriber> subscribers = new ArrayList<>();
    /** Deliveries taken from any of this connection's queues and not yet settled: one window for them all. */
    private volatile CreditWindow window = CreditWindow.ofCount(0);
    private int clientMaxPacketSize = Integer.MAX_VALUE;
    private final Map<Integer, String> topicAliases = new HashMap<>();
    /** QoS 1 and 2 deliveries written and not yet acknowledged, by packet id. */
    private final Map<Integer, Delivery> outbound = new LinkedHashMap<>();
    private int nextPacketId = 1;
    /** Deliveries the client is done with, acknowledged to their queues at the end of the batch. */
    private final Map<Queue, List<Long>> settled = new HashMap<>();
    /** Whether a delivery was settled while the window was full: the queues may deliver again. */
    private boolean roomFreed;
    /** QoS 1 and 2 deliveries the client may have unacknowledged: the lower of ours and its receive maximum. */
    // What operators see of the session: written on the event loop, read from any thread.
    private volatile int shownSubscriptions;
    private volatile int shownWindow;

    MqttConnection(Broker broker, VirtualHost vhost, MqttSettings settings, MqttSessions sessions) {
        this.authentication = broker.authentication();
        this.registry = broker.connections();
        this.alarms = broker.alarms();
        this.vhost = vhost;
        this.settings = settings;
        this.sessions = sessions;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.readPauses = new ReadPauses(ctx.channel());
        this.name = String.valueOf(ctx.channel().remoteAddress());
        this.storageFailures = new StorageFailures(LOG, "MQTT connection " + name);
        this.inbox = new LoopInbox(ctx.executor(), this::endOfBatch);
        connection = ConnectionTracker.track(ctx.channel(), registry, PROTOCOL, this::closeByOperator);
        connection.sessions(this::sessions);
        connection.owner(this);
        ctx.fireChannelActive();
    }

    /** The session once CONNECT is through: its subscriptions, and deliveries the client has not acknowledged. */
    private List<ClientConnection.Session> sessions() {
        String id = connection.clientId();
        return id.isEmpty() ? List.of()
                : List.of(new ClientConnection.Session(id, shownSubscriptions, window.taken(), shownWindow));
    }

    /**
     * Closes the connection on an operator's request: an MQTT 5 client gets DISCONNECT with
     * Administrative action (0x98) first; MQTT 3.1.1 has no such packet, its socket just closes.
     * The will is published, as for any end without the client's own DISCONNECT.
     */
    private void closeByOperator(String reason) {
        LOG.info("MQTT connection {} ({}): closed by an operator: {}", name, clientId(), reason);
        disconnect(MqttReasonCodes.Disconnect.ADMINISTRATIVE_ACTION);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        endOfBatch();
        ctx.fireChannelReadComplete();
    }

    /**
     * After a burst of packets or of deliveries: the acknowledgements gathered go to their queues
     * together, and what was written goes out with one flush.
     */
    private void endOfBatch() {
        if (!settled.isEmpty()) {
            settled.forEach(Queue::ack);
            settled.clear();
        }
        if (roomFreed) {
            roomFreed = false;
            wakeQueues();
        }
        ctx.flush();
    }

    boolean writable() {
        return state == State.CONNECTED && ctx.channel().isWritable();
    }

    /** Runs {@code r} on the event loop; what it writes is flushed with the rest of its batch. */
    void onLoop(Runnable r) {
        inbox.submit(r);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            wakeQueues();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.info("MQTT connection {} ({}): no packet within 1.5 times the keep-alive; closing it", name, clientId());
            disconnect(MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("MQTT connection {}: {}", name, cause.toString());
        ctx.close();
    }

    // ---------------------------------------------------------------- inbound packets

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof MqttMessage m)) {
            return;
        }
        try {
            if (m.decoderResult().isFailure()) {
                badPacket(m.decoderResult().cause());
                return;
            }
            if (state == State.CLOSED) {
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            if (state == State.AWAIT_CONNECT && type != MqttMessageType.CONNECT) {
                LOG.info("MQTT connection {}: the first packet was {}, not CONNECT; closing it", name, type);
                refused(MqttReasonCodes.Disconnect.PROTOCOL_ERROR.name());
                ctx.close();
                return;
            }
            switch (type) {
                case CONNECT -> {
                    if (state != State.AWAIT_CONNECT) {
                        protocolError("a second CONNECT");
                        return;
                    }
                    connect((MqttConnectMessage) m);
                }
                case PUBLISH -> publish((MqttPublishMessage) m);
                case PUBACK -> acknowledged(packetId(m));
                case PUBREC -> received(m);
                case PUBREL -> released(packetId(m));
                case PUBCOMP -> completed(packetId(m));
                case SUBSCRIBE -> subscribe((MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) m);
                case PINGREQ -> ctx.write(new MqttMessage(fixed(MqttMessageType.PINGRESP, MqttQoS.AT_MOST_ONCE)));
                case DISCONNECT -> clientDisconnect(m);
                default -> protocolError("unexpected " + type + " packet");
            }
        } finally {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private void badPacket(Throwable cause) {
        if (state == State.AWAIT_CONNECT) {
            MqttConnectReturnCode code = cause instanceof MqttUnacceptableProtocolVersionException
                    ? MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION
                    : cause instanceof MqttIdentifierRejectedException
                    ? MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED
                    : null;
            LOG.info("MQTT connection {}: refused before CONNECT completed: {}", name, cause.getMessage());
            refused(code != null ? reasonName(code) : MqttReasonCodes.Disconnect.MALFORMED_PACKET.name());
            if (code != null) {
                ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).build()).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
            state = State.CLOSED;
            return;
        }
        boolean tooLarge = cause instanceof TooLongFrameException
                || (cause instanceof DecoderException && cause.getMessage() != null && cause.getMessage().contains("too large"));
        LOG.info("MQTT connection {} ({}): malformed packet, closing it: {}", name, clientId(), cause.getMessage());
        refuse(tooLarge ? MqttReasonCodes.Disconnect.PACKET_TOO_LARGE : MqttReasonCodes.Disconnect.MALFORMED_PACKET);
    }

    private void protocolError(String what) {
        LOG.info("MQTT connection {} ({}): protocol error, closing it: {}", name, clientId(), what);
        refuse(MqttReasonCodes.Disconnect.PROTOCOL_ERROR);
    }

    /** Ends the connection over a packet the client should not have sent, counting it under the reason's name. */
    private void refuse(MqttReasonCodes.Disconnect reason) {
        if (state != State.CLOSED) {
            refused(reason.name());
        }
        disconnect(reason);
    }

    /** Counts a refused packet under its MQTT reason's name, such as MALFORMED_PACKET or NOT_AUTHORIZED. */
    private void refused(String reason) {
        registry.rejected(PROTOCOL, reason);
    }

    /**
     * A CONNACK refusal's reason as MQTT 5 names it, for MQTT 3.1.1's return codes too:
     * {@code CONNECTION_REFUSED_NOT_AUTHORIZED_5} and {@code CONNECTION_REFUSED_NOT_AUTHORIZED} are both NOT_AUTHORIZED.
     */
    private static String reasonName(MqttConnectReturnCode code) {
        String n = code.name().replace("CONNECTION_REFUSED_", "");
        n = n.endsWith("_5") ? n.substring(0, n.length() - 2) : n;
        return n.equals("BAD_USERNAME_OR_PASSWORD") ? "BAD_USER_NAME_OR_PASSWORD" : n;
    }

    /** Ends the connection from the broker's side; an MQTT 5 client is told why first. Its will is published. */
    private void disconnect(MqttReasonCodes.Disconnect reason) {
        if (state == State.CLOSED) {
            return;
        }
        if (version == 5 && state == State.CONNECTED) {
            ctx.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reason.byteValue()).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
        state = State.CLOSED;
    }

    private String clientId() {
        return session == null ? "no client id yet" : session.clientId;
    }

    // ---------------------------------------------------------------- connect

    private void connect(MqttConnectMessage m) {
        var header = m.variableHeader();
        var payload = m.payload();
        version = header.version();
        connection.protocolVersion(version == 5 ? "5" : version == 4 ? "3.1.1" : "3.1");
        String clientId = payload.clientIdentifier() == null ? "" : payload.clientIdentifier();
        boolean cleanStart = header.isCleanSession();
        boolean assignedId = false;
        if (clientId.isEmpty()) {
            if (version < 5 && !cleanStart) {
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "an empty client id needs a clean session");
                return;
            }
            clientId = "wharf-" + UUID.randomUUID();
            assignedId = true;
        }
        Login.Outcome login = authentication.passwordOrAnonymous(payload.userName(), password(payload.passwordInBytes()),
                remoteAddress(), settings.anonymousUser());
        User user;
        switch (login) {
            case Login.Refused r -> {
                refuse(version == 5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                        : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                        "login refused for user '" + r.login() + "': " + r.reason());
                return;
            }
            case Login.Accepted a -> user = a.user();
        }
        Optional<String> vhostRefused = authentication.vhostRefusal(user, vhost.name());
        if (vhostRefused.isPresent()) {
            refuse(version == 5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, vhostRefused.get());
            return;
        }
        MqttProperties props = header.properties();
        if (version == 5) {
            sessionExpirySeconds = intProperty(props, MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
            long max = intProperty(props, MqttProperties.MAXIMUM_PACKET_SIZE, 0);
            clientMaxPacketSize = max == 0 ? Integer.MAX_VALUE : (int) Math.min(max, Integer.MAX_VALUE);
        } else {
            sessionExpirySeconds = cleanStart ? 0 : NEVER_EXPIRES;
        }
        int receiveMaximum = version == 5 ? (int) intProperty(props, MqttProperties.RECEIVE_MAXIMUM, 65_535) : 65_535;
        int windowSize = Math.max(1, Math.min(settings.maxInflight(), receiveMaximum));
        window = CreditWindow.ofCount(windowSize);
        if (header.isWillFlag()) {
            if (MqttTopics.topicNameProblem(payload.willTopic()) != null) {
                refuse(version == 5 ? MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID
                        : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "invalid will topic");
                return;
            }
            MqttProperties wp = payload.willProperties() == null ? MqttProperties.NO_PROPERTIES : payload.willProperties();
            will = new Will(payload.willTopic(), payload.willMessageInBytes() == null ? new byte[0] : payload.willMessageInBytes(),
                    header.willQos(), header.isWillRetain(), wp, intProperty(wp, MqttProperties.WILL_DELAY_INTERVAL, 0) * 1000);
        }
        if (header.keepAliveTimeSeconds() > 0) {
            // The client must send something within one and a half keep-alive periods.
            long idleMs = header.keepAliveTimeSeconds() * 1500L;
            ctx.pipeline().addBefore("decoder", "keep-alive", new IdleStateHandler(idleMs, 0, 0, TimeUnit.MILLISECONDS));
        }
        client = new Client(user, this, "MQTT " + name);
        connection.authenticated(user.name(), vhost.name());
        connection.clientProperties(Map.of("clean_start", Boolean.toString(cleanStart),
                "keep_alive", Integer.toString(header.keepAliveTimeSeconds())));
        shownWindow = windowSize;
        state = State.CONNECTING;
        // Packets after CONNECT wait until the session is ready.
        readPauses.pause(State.CONNECTING);
        gate = new PublishGate(alarms, this::onLoop, PublishGate.Limits.DEFAULT, readPauses.valve(), connection);
        String id = clientId;
        boolean assigned = assignedId;
        taking = sessions.take(id, this);
        // The session's state passes to this connection's loop once the previous holder let go of it.
        taking.thenCompose(t -> t.previous() == null ? CompletableFuture.completedFuture(t.session())
                        : t.previous().takeOver().thenApply(v -> t.session()))
                .thenComposeAsync(s -> {
                    if (state != State.CONNECTING) {
                        return CompletableFuture.completedFuture(false);
                    }
                    session = s;
                    s.heldOn(ctx.executor());
                    return attach(cleanStart);
                }, ctx.executor())
                .whenComplete((present, e) -> onLoop(() -> {
            if (state != State.CONNECTING) {
                return;
            }
            if (e != null) {
                LOG.warn("MQTT connection {} ({}): setting up the session failed", name, id, e);
                refuse(version == 5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "the session could not be set up");
                return;
            }
            connected(present, assigned ? id : null);
        }));
    }

    private static String password(byte[] password) {
        return password == null ? null : new String(password, java.nio.charset.StandardCharsets.UTF_8);
    }

    private InetAddress remoteAddress() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    private void refuse(MqttConnectReturnCode code, String why) {
        LOG.info("MQTT connection {}: CONNECT refused ({}): {}", name, code, why);
        if (code != MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE
                && code != MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5) {
            refused(reasonName(code));
        }
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
        state = State.CLOSED;
    }

    private static long intProperty(MqttProperties props, int id, long absent) {
        return props != null && props.getProperty(id) instanceof MqttProperties.IntegerProperty p
                ? Integer.toUnsignedLong(p.value()) : absent;
    }

    /** Another connection with this client id arrived: this one goes, without its will. */
    CompletableFuture<Void> takeOver() {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        ctx.channel().closeFuture().addListener(f -> gone.complete(null));
        onLoop(() -> {
            will = null;
            LOG.info("MQTT connection {} ({}): taken over by a new connection with the same client id", name, clientId());
            disconnect(MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER);
        });
        // The old connection's cleanup (requeueing its deliveries) runs on its close.
        return gone.thenCompose(v -> closedCleanup);
    }

    /** Completes once this connection has given its session back (deliveries requeued, consumer cancelled). */
    private final CompletableFuture<Void> closedCleanup = new CompletableFuture<>();

    /**
     * Sets the session's queue up: a clean start throws the old one away; otherwise an existing
     * one is consumed again. Completes with whether a session was present.
     */
    private CompletableFuture<Boolean> attach(boolean cleanStart) {
        String queueName = session.queueName();
        Queue existing = vhost.findQueue(queueName).orElse(null);
        SessionStore.Session stored = vhost.sessions().get(MqttBindings.STORED_PROTOCOL, session.clientId).orElse(null);
        List<MqttSession.Subscription> storedShared = new ArrayList<>();
        if (stored != null) {
            stored.subscriptions().values().stream().filter(sub -> sub.group() != null).map(MqttBindings::restored)
                    .forEach(storedShared::add);
        }
        if (cleanStart) {
            session.subscriptions().clear();
            session.awaitingRelease().clear();
            session.awaitingComplete().clear();
            CompletableFuture<?> deleted = existing == null ? CompletableFuture.completedFuture(0L)
                    : vhost.deleteQueue(queueName, false, false, client);
            return deleted.thenCompose(n -> leaveAll(storedShared)).thenCompose(v -> forgetStored(stored)).thenApply(v -> false);
        }
        if (existing == null && storedShared.isEmpty()) {
            // Never subscribed, or its queue expired with the session: nothing of it is left.
            session.subscriptions().clear();
            return forgetStored(stored).thenApply(v -> false);
        }
        if (session.subscriptions().isEmpty() && stored != null) {
            // After a broker restart the session's subscriptions come back from the session store.
            stored.subscriptions().values().forEach(sub -> session.subscriptions().put(sub.filter(), MqttBindings.restored(sub)));
        }
        List<MqttSession.Subscription> shared = new ArrayList<>();
        for (MqttSession.Subscription sub : session.subscriptions().values()) {
            if (sub.group() != null) {
                shared.add(sub);
            }
        }
        CompletableFuture<Void> own = existing == null ? CompletableFuture.completedFuture(null) : consume(existing);
        // The shared subscriptions' queues are consumed again too: they kept the group's messages.
        for (MqttSession.Subscription sub : shared) {
            own = own.thenCompose(v -> joinShared(sub));
        }
        return own.thenApply(v -> true);
    }

    private CompletableFuture<Void> forgetStored(SessionStore.Session stored) {
        return stored == null ? CompletableFuture.completedFuture(null)
                : vhost.sessions().discard(MqttBindings.STORED_PROTOCOL, session.clientId);
    }

    /** Leaves shared subscriptions: this client's bindings of the groups' queues go. */
    private CompletableFuture<Void> leaveAll(List<MqttSession.Subscription> shared) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (MqttSession.Subscription s : shared) {
            done = done.thenCompose(v -> vhost.unbind(MqttBindings.shared(s, session.clientId), client)).exceptionally(e -> null);
        }
        return done;
    }

    /**
     * Whether the session store keeps a subscription: those of a persistent session, whose queue
     * outlives the connection, and every shared one, whose membership binding is durable.
     */
    private boolean kept(MqttSession.Subscription s) {
        return sessionExpirySeconds > 0 || s.group() != null;
    }

    private static final long SHARED_QUEUE_EXPIRES_MS = 86_400_000L;

    private void connected(boolean sessionPresent, String assignedId) {
        state = State.CONNECTED;
        connection.clientId(session.clientId);
        MqttProperties props = new MqttProperties();
        if (version == 5) {
            if (assignedId != null) {
                props.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, assignedId));
            }
            props.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, RECEIVE_MAXIMUM));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, TOPIC_ALIAS_MAXIMUM));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, settings.maxPacketSize()));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 1));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 1));
        }
        MqttConnAckMessage ack = MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(sessionPresent).properties(props).build();
        ctx.write(ack);
        // QoS 2 deliveries whose PUBCOMP the previous connection did not get: release them again.
        List<Integer> release = new ArrayList<>(session.awaitingComplete());
        shownSubscriptions = session.subscriptions().size();
        for (int id : release) {
            ctx.write(pubReply(MqttMessageType.PUBREL, id, (byte) 0));
        }
        ctx.flush();
        LOG.debug("MQTT connection {}: client '{}' connected (MQTT {}, session present: {})", name, session.clientId,
                version == 5 ? "5" : version == 4 ? "3.1.1" : "3.1", sessionPresent);
        readPauses.resume(State.CONNECTING);
        wakeQueues();
    }

    private void wakeQueues() {
        if (queue != null) {
            queue.wakeUp();
        }
        sharedQueues.keySet().forEach(Queue::wakeUp);
    }

    // ---------------------------------------------------------------- publish (client to broker)

    private void publish(MqttPublishMessage m) {
        var header = m.variableHeader();
        int qos = m.fixedHeader().qosLevel().value();
        int packetId = header.packetId();
        if (qos > 2) {
            protocolError("QoS 3");
            return;
        }
        String topic = header.topicName();
        MqttProperties props = header.properties();
        if (version == 5 && props.getProperty(MqttProperties.TOPIC_ALIAS) instanceof MqttProperties.IntegerProperty alias) {
            int a = alias.value();
            if (a <= 0 || a > TOPIC_ALIAS_MAXIMUM) {
                refuse(MqttReasonCodes.Disconnect.TOPIC_ALIAS_INVALID);
                return;
            }
            if (topic == null || topic.isEmpty()) {
                topic = topicAliases.get(a);
                if (topic == null) {
                    protocolError("topic alias " + a + " was never set");
                    return;
                }
            } else {
                topicAliases.put(a, topic);
            }
        }
        String problem = MqttTopics.topicNameProblem(topic);
        if (problem != null) {
            LOG.info("MQTT connection {} ({}): {}", name, clientId(), problem);
            refuse(MqttReasonCodes.Disconnect.TOPIC_NAME_INVALID);
            return;
        }
        if (qos == 2) {
            boolean again = !session.awaitingRelease().add(packetId);
            if (again) {
                // A resend of a publish already taken: acknowledge it again, publish nothing.
                ctx.write(pubReply(MqttMessageType.PUBREC, packetId, (byte) 0), ctx.voidPromise());
                return;
            }
        }
        if (qos > 0 && !receiving(qos, packetId)) {
            return;
        }
        gate.beforePublish();
        connection.messageIn();
        byte[] body = ByteBufUtil.getBytes(m.payload());
        boolean retain = m.fixedHeader().isRetain();
        Message message = MqttMessages.toMessage(topic, body, qos, retain, props, session.clientId, System.currentTimeMillis());
        CompletableFuture<Void> retained = CompletableFuture.completedFuture(null);
        if (retain) {
            retained = body.length == 0 ? vhost.retained().clear(topic) : vhost.retained().retain(topic, message);
        }
        VirtualHost.PublishResult result;
        try {
            result = vhost.publish(message, false, client);
        } catch (BrokerException e) {
            LOG.info("MQTT connection {} ({}): publish to '{}' refused: {}", name, clientId(), topic, e.getMessage());
            if (qos == 0 || version < 5) {
                refuse(MqttReasonCodes.Disconnect.NOT_AUTHORIZED);
            } else {
                refused(MqttReasonCodes.PubAck.NOT_AUTHORIZED.name());
                forgetRelease(qos, packetId);
                received(qos, packetId);
                ctx.writeAndFlush(pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId,
                        MqttReasonCodes.PubAck.NOT_AUTHORIZED.byteValue()));
            }
            return;
        }
        boolean matched = result.queues() > 0;
        // Acknowledged only once every copy is on disk (and the retained copy too).
        BiConsumer<Void, Throwable> acknowledge = (v, e) -> {
            if (state != State.CONNECTED || qos == 0) {
                return;
            }
            // A full disk is a limit the client may wait out (0x97, as Mosquitto answers resource
            // limits); any other storage failure is the broker's (0x80).
            byte reason = e == null ? (matched ? 0 : MqttReasonCodes.PubAck.NO_MATCHING_SUBSCRIBERS.byteValue())
                    : StorageFailures.diskFull(e) ? MqttReasonCodes.PubAck.QUOTA_EXCEEDED.byteValue()
                    : MqttReasonCodes.PubAck.UNSPECIFIED_ERROR.byteValue();
            if (e == null) {
                storageFailures.stored();
            } else {
                storageFailures.failed(e, version < 5 ? "MQTT 3.1.1 publishers are disconnected unacknowledged"
                        : String.format("answered with reason 0x%02X", reason & 0xFF));
                forgetRelease(qos, packetId);
                if (qos == 2) {
                    // A PUBREC with a failure code ends the QoS 2 flow; a QoS 1 one is counted below.
                    received(qos, packetId);
                }
                if (version < 5) {
                    // MQTT 3.1.1 has no way to say it failed: the client resends after reconnecting.
                    ctx.close();
                    return;
                }
            }
            if (qos == 1) {
                received(qos, packetId);
            }
            ctx.write(pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId, reason), ctx.voidPromise());
        };
        CompletableFuture<Void> stored = CompletableFuture.allOf(result.stored(), retained);
        // Subscribers that fall behind their publishers would get ever older messages: a QoS 1 or
        // 2 publisher's acknowledgement waits while they catch up, and once its in-flight window
        // is used up the publisher waits too, as a slow consumer slows its publishers in RabbitMQ.
        Optional<CompletableFuture<Void>> behind = qos > 0 && settings.maxBacklog() > 0
                ? result.behind(settings.maxBacklog()) : Optional.empty();
        if (behind.isPresent()) {
            gate.whenStoredAndCaughtUp(body.length, stored, behind.get(), acknowledge);
        } else {
            gate.whenStored(body.length, stored, acknowledge);
        }
    }

    /**
     * Counts a QoS 1 or 2 publish towards Receive Maximum; one past it ends an MQTT 5 connection
     * with DISCONNECT 0x93, as the specification requires (MQTT 3.1.1 has no such limit).
     */
    private boolean receiving(int qos, int packetId) {
        if (version == 5 && qos1Receiving + qos2Receiving.size() >= RECEIVE_MAXIMUM) {
            LOG.info("MQTT connection {} ({}): more than {} QoS 1 and 2 publishes under way", name, clientId(), RECEIVE_MAXIMUM);
            forgetRelease(qos, packetId);
            refuse(MqttReasonCodes.Disconnect.RECEIVE_MAXIMUM_EXCEEDED);
            return false;
        }
        if (qos == 1) {
            qos1Receiving++;
        } else {
            qos2Receiving.add(packetId);
        }
        return true;
    }

    /** A QoS 1 publish was acknowledged, or a QoS 2 one released or refused: it no longer counts. */
    private void received(int qos, int packetId) {
        if (qos == 1) {
            qos1Receiving--;
        } else {
            qos2Receiving.remove(packetId);
        }
    }

    private void forgetRelease(int qos, int packetId) {
        if (qos == 2) {
            session.awaitingRelease().remove(packetId);
        }
    }

    private void released(int packetId) {
        received(2, packetId);
        boolean known = session.awaitingRelease().remove(packetId);
        ctx.write(pubReply(MqttMessageType.PUBCOMP, packetId,
                known || version < 5 ? 0 : MqttReasonCodes.PubComp.PACKET_IDENTIFIER_NOT_FOUND.byteValue()));
    }

    private MqttMessage pubReply(MqttMessageType type, int packetId, byte reason) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        Object header = version == 5
                ? new MqttPubReplyMessageVariableHeader(packetId, reason, MqttProperties.NO_PROPERTIES)
                : MqttMessageIdVariableHeader.from(packetId);
        return new MqttMessage(fixed(type, qos), header);
    }

    private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS qos) {
        return new MqttFixedHeader(type, false, qos, false, 0);
    }

    // ---------------------------------------------------------------- subscriptions

    private void subscribe(MqttSubscribeMessage m) {
        int packetId = m.idAndPropertiesVariableHeader().messageId();
        List<MqttTopicSubscription> asked = m.payload().topicSubscriptions();
        int[] codes = new int[asked.size()];
        List<MqttSession.Subscription> accepted = new ArrayList<>();
        List<Boolean> isNew = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            MqttTopicSubscription t = asked.get(i);
            String filter = t.topicFilter();
            String group = null;
            String problem;
            if (filter != null && filter.startsWith("$share/")) {
                int slash = filter.indexOf('/', "$share/".length());
                group = slash < 0 ? "" : filter.substring("$share/".length(), slash);
                problem = slash < 0 || group.isEmpty() || group.contains("+") || group.contains("#")
                        ? "a shared subscription is $share/<group>/<filter>: '" + filter + "'"
                        : MqttTopics.filterProblem(filter.substring(slash + 1));
            } else {
                problem = MqttTopics.filterProblem(filter);
            }
            if (problem != null) {
                LOG.info("MQTT connection {} ({}): {}", name, clientId(), problem);
                refused(MqttReasonCodes.SubAck.TOPIC_FILTER_INVALID.name());
                codes[i] = version == 5 ? MqttReasonCodes.SubAck.TOPIC_FILTER_INVALID.byteValue() & 0xFF : 0x80;
                continue;
            }
            var o = t.option();
            int qos = Math.min(2, o.qos().value());
            MqttSession.Subscription s = new MqttSession.Subscription(filter, qos, o.isNoLocal(), o.isRetainAsPublished(),
                    o.retainHandling().value(), group);
            codes[i] = qos;
            accepted.add(s);
        }
        boolean needsOwnQueue = accepted.stream().anyMatch(s -> s.group() == null);
        CompletableFuture<Void> bound = needsOwnQueue ? ensureQueue() : CompletableFuture.completedFuture(null);
        for (MqttSession.Subscription s : accepted) {
            MqttSession.Subscription before = session.subscriptions().put(s.filter(), s);
            shownSubscriptions = session.subscriptions().size();
            isNew.add(before == null);
            bound = bound.thenCompose(v -> s.group() != null ? joinShared(s)
                    : vhost.bind(MqttBindings.own(session.queueName(), s.filter()), client));
            if (kept(s)) {
                bound = bound.thenCompose(v -> vhost.sessions().subscribe(MqttBindings.STORED_PROTOCOL, session.clientId,
                        MqttBindings.stored(s)));
            }
        }
        // Retained messages this connection published before subscribing are in place first.
        bound = bound.thenCompose(v -> vhost.retained().applied());
        bound.whenComplete((v, e) -> onLoop(() -> {
            if (state != State.CONNECTED) {
                return;
            }
            if (e != null) {
                LOG.warn("MQTT connection {} ({}): subscribing failed: {}", name, clientId(), e.getMessage());
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = codes[i] < 0x80 ? 0x80 : codes[i];
                }
            }
            // The retained messages are looked up before the SUBACK goes out: a message the client
            // publishes once it has the SUBACK reaches the new subscription live, and must not come
            // a second time as a retained one.
            List<RetainedFor> retained = new ArrayList<>();
            if (e == null) {
                for (int i = 0; i < accepted.size(); i++) {
                    MqttSession.Subscription s = accepted.get(i);
                    // Shared subscriptions get no retained messages, as MQTT 5 says.
                    if (s.group() == null && (s.retainHandling() == 0 || (s.retainHandling() == 1 && isNew.get(i)))) {
                        vhost.retained().matching(t -> MqttTopics.matches(s.filter(), t))
                                .forEach(r -> retained.add(new RetainedFor(s, r)));
                    }
                }
            }
            ctx.write(new MqttSubAckMessage(fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
                    new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                    new MqttSubAckPayload(codes)));
            retained.forEach(r -> sendRetained(r.subscription(), r.message()));
            ctx.flush();
        }));
    }

    /** Declares the session's queue if it is not there yet, and consumes from it. */
    private CompletableFuture<Void> ensureQueue() {
        if (queue != null) {
            return CompletableFuture.completedFuture(null);
        }
        boolean persistent = sessionExpirySeconds > 0;
        Map<String, Object> args = new LinkedHashMap<>();
        if (persistent && sessionExpirySeconds != NEVER_EXPIRES) {
            // The session expires once it has been without a connection for its expiry interval.
            args.put("x-expires", sessionExpirySeconds * 1000);
        }
        QueueDefinition d = new QueueDefinition(session.queueName(), persistent, !persistent, false, args);
        return vhost.declareQueue(d, false, client).thenCompose(ok -> {
            return vhost.findQueue(session.queueName()).map(this::consume).orElseGet(() ->
                    CompletableFuture.failedFuture(BrokerException.notFound("the session's queue went away")));
        });
    }

    /**
     * Joins a shared subscription: its group's queue, bound to its filter, is declared if need
     * be and consumed by this connection beside the other members, each message going to one.
     * The queue is durable and goes a day after the last member stopped using it.
     */
    private CompletableFuture<Void> joinShared(MqttSession.Subscription s) {
        String name = s.sharedQueueName();
        QueueDefinition d = new QueueDefinition(name, true, false, false, Map.of("x-expires", SHARED_QUEUE_EXPIRES_MS));
        return vhost.declareQueue(d, false, client).thenCompose(ok -> vhost.bind(MqttBindings.shared(s, session.clientId), client))
                .thenCompose(v -> {
            Queue q = vhost.findQueue(name).orElse(null);
            if (q == null) {
                return CompletableFuture.failedFuture(BrokerException.notFound("the shared subscription's queue went away"));
            }
            CompletableFuture<Void> started = new CompletableFuture<>();
            onLoop(() -> {
                if (sharedQueues.containsKey(q)) {
                    sharedQueues.put(q, s);
                    started.complete(null);
                    return;
                }
                sharedQueues.put(q, s);
                startConsuming(q, memberTag()).whenComplete((x, e) -> {
                    if (e != null) {
                        started.completeExceptionally(e);
                    } else {
                        started.complete(null);
                    }
                });
            });
            return started;
        });
    }

    private CompletableFuture<Void> consume(Queue q) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        onLoop(() -> {
            if (queue != null) {
                started.complete(null);
                return;
            }
            queue = q;
            startConsuming(q, CONSUMER_TAG).whenComplete((v, e) -> {
                if (e != null) {
                    started.completeExceptionally(e);
                } else {
                    started.complete(null);
                }
            });
        });
        return started;
    }

    private CompletableFuture<Void> startConsuming(Queue q, String tag) {
        MqttSubscriber sub = new MqttSubscriber(this, window);
        subscribers.add(sub);
        return q.consume(new ConsumerSpec(tag, false, false, 0, this, sub));
    }

    /** This member's consumer tag on a shared subscription's queue. */
    private String memberTag() {
        return "mqtt-" + session.clientId;
    }

    private void unsubscribe(MqttUnsubscribeMessage m) {
        int packetId = m.idAndPropertiesVariableHeader().messageId();
        List<String> filters = m.payload().topics();
        short[] codes = new short[filters.size()];
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (int i = 0; i < filters.size(); i++) {
            MqttSession.Subscription gone = session.subscriptions().remove(filters.get(i));
            shownSubscriptions = session.subscriptions().size();
            codes[i] = gone == null ? MqttReasonCodes.UnsubAck.NO_SUBSCRIPTION_EXISTED.byteValue() : 0;
            if (gone != null && gone.group() != null) {
                leaveShared(gone);
            } else if (gone != null && queue != null) {
                done = done.thenCompose(v -> vhost.unbind(MqttBindings.own(session.queueName(), gone.filter()), client));
            }
            if (gone != null && kept(gone)) {
                done = done.thenCompose(v -> vhost.sessions().unsubscribe(MqttBindings.STORED_PROTOCOL, session.clientId,
                        gone.filter()));
            }
        }
        done.whenComplete((v, e) -> onLoop(() -> {
            if (state != State.CONNECTED) {
                return;
            }
            var b = MqttMessageBuilders.unsubAck().packetId(packetId);
            if (version == 5) {
                for (short c : codes) {
                    b.addReasonCode(e == null ? c : MqttReasonCodes.UnsubAck.UNSPECIFIED_ERROR.byteValue());
                }
            }
            ctx.writeAndFlush(b.build());
        }));
    }

    /** Stops consuming a shared subscription's queue; what this member had not acknowledged goes back to the group. */
    private void leaveShared(MqttSession.Subscription s) {
        Queue q = null;
        for (Map.Entry<Queue, MqttSession.Subscription> e : sharedQueues.entrySet()) {
            if (e.getValue().filter().equals(s.filter())) {
                q = e.getKey();
            }
        }
        if (q != null) {
            sharedQueues.remove(q);
            release(q, memberTag());
        }
        vhost.unbind(MqttBindings.shared(s, session.clientId), client).exceptionally(e -> null);
    }

    /** Gives a queue's outstanding deliveries back and cancels this connection's consumer on it. */
    private CompletableFuture<Boolean> release(Queue q, String tag) {
        List<Long> unacked = new ArrayList<>();
        var it = outbound.entrySet().iterator();
        while (it.hasNext()) {
            Delivery d = it.next().getValue();
            if (d != null && d.queue() == q) {
                unacked.add(d.id());
                it.remove();
                window.giveBack(1, 0);
            }
        }
        q.requeue(unacked);
        return q.cancel(tag);
    }

    /** A retained message, by topic, and the new subscription it goes to. */
    private record RetainedFor(MqttSession.Subscription subscription, Map.Entry<String, Message> message) {
    }

    /** Writes one retained message for a new subscription; the caller flushes. */
    private void sendRetained(MqttSession.Subscription s, Map.Entry<String, Message> retained) {
        Message m = retained.getValue();
        if (expired(m)) {
            return;
        }
        int qos = Math.min(s.qos(), MqttMessages.publishedQos(m));
        int id = qos == 0 ? 0 : nextPacketId(null);
        ctx.write(publishPacket(retained.getKey(), m, qos, true, false, id));
        connection.messagesOut(1);
    }

    // ---------------------------------------------------------------- deliveries (broker to client)

    /** Called on the queue's thread: the delivery is written on the event loop. */
    void deliverLater(Delivery d) {
        onLoop(() -> deliver(d));
    }

    private void deliver(Delivery d) {
        boolean own = d.queue() == queue;
        MqttSession.Subscription shared = own ? null : sharedQueues.get(d.queue());
        if (state != State.CONNECTED || (!own && shared == null)) {
            d.queue().requeue(List.of(d.id()));
            window.giveBack(1, 0);
            return;
        }
        Message m = d.message();
        String topic = MqttTopics.fromRoutingKey(m.routingKey());
        MqttSession.Subscription best = null;
        String publisher = MqttMessages.publisher(m);
        if (shared != null) {
            best = MqttTopics.matches(shared.topicFilter(), topic) && !(shared.noLocal() && session.clientId.equals(publisher))
                    ? shared : null;
        } else {
            for (MqttSession.Subscription s : session.subscriptions().values()) {
                if (s.group() == null && MqttTopics.matches(s.filter(), topic)
                        && !(s.noLocal() && session.clientId.equals(publisher))
                        && (best == null || s.qos() > best.qos())) {
                    best = s;
                }
            }
        }
        if (best == null || expired(m)) {
            // Routed by a binding whose filter MQTT would not match ($-topics), or dropped by no-local.
            settle(d);
            return;
        }
        int qos = Math.min(best.qos(), MqttMessages.publishedQos(m));
        boolean retainFlag = best.retainAsPublished() && MqttMessages.publishedRetained(m);
        int id = qos == 0 ? 0 : nextPacketId(d);
        MqttPublishMessage p = publishPacket(topic, m, qos, retainFlag, d.redelivered() && qos > 0, id);
        if (p == null) {
            if (qos > 0) {
                outbound.remove(id);
            }
            settle(d);
            return;
        }
        ctx.write(p, ctx.voidPromise());
        connection.messagesOut(1);
        if (qos == 0) {
            settle(d);
        }
    }

    private boolean expired(Message m) {
        String e = m.properties().expiration();
        if (e == null) {
            return false;
        }
        try {
            return System.currentTimeMillis() - m.arrivedAtMillis() >= Long.parseLong(e);
        } catch (NumberFormatException ex) {
            return false;
        }
    }

    /** A PUBLISH packet, or null when it would be larger than the client accepts (MQTT 5 says to drop it then). */
    private MqttPublishMessage publishPacket(String topic, Message m, int qos, boolean retain, boolean dup, int packetId) {
        MqttProperties props = version == 5 ? MqttMessages.toProperties(m, System.currentTimeMillis()) : MqttProperties.NO_PROPERTIES;
        if (version == 5 && (long) m.bodySize() + topic.length() * 3L + 64 > clientMaxPacketSize) {
            return null;
        }
        MqttFixedHeader fh = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0);
        return new MqttPublishMessage(fh, new io.netty.handler.codec.mqtt.MqttPublishVariableHeader(topic, packetId, props),
                Unpooled.wrappedBuffer(m.body()));
    }

    private int nextPacketId(Delivery d) {
        while (true) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
            if (!outbound.containsKey(id) && !session.awaitingComplete().contains(id)) {
                outbound.put(id, d);
                return id;
            }
        }
    }

    /** The client is done with a delivery: it leaves the queue and makes room for the next. */
    private void settle(Delivery d) {
        if (d != null) {
            settled.computeIfAbsent(d.queue(), q -> new ArrayList<>()).add(d.id());
            // Queues only wait for room when the window was full.
            if (window.giveBack(1, 0)) {
                roomFreed = true;
            }
        }
    }

    private void acknowledged(int packetId) {
        if (!outbound.containsKey(packetId)) {
            return;
        }
        settle(outbound.remove(packetId));
    }

    private void received(MqttMessage m) {
        int packetId = packetId(m);
        if (!outbound.containsKey(packetId)) {
            ctx.writeAndFlush(pubReply(MqttMessageType.PUBREL, packetId,
                    version == 5 ? MqttReasonCodes.PubRel.PACKET_IDENTIFIER_NOT_FOUND.byteValue() : 0));
            return;
        }
        Delivery d = outbound.remove(packetId);
        boolean failed = m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h && (h.reasonCode() & 0xFF) >= 0x80;
        if (!failed) {
            // The client has the message: it leaves the queue now, and only the release remains.
            session.awaitingComplete().add(packetId);
            ctx.write(pubReply(MqttMessageType.PUBREL, packetId, (byte) 0), ctx.voidPromise());
        }
        settle(d);
    }

    private void completed(int packetId) {
        session.awaitingComplete().remove(packetId);
    }

    void sessionQueueGone(String reason) {
        onLoop(() -> {
            LOG.info("MQTT connection {} ({}): its session queue went away ({}); closing it", name, clientId(), reason);
            disconnect(MqttReasonCodes.Disconnect.ADMINISTRATIVE_ACTION);
        });
    }

    // ---------------------------------------------------------------- disconnect

    private void clientDisconnect(MqttMessage m) {
        if (version == 5 && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            if (h.reasonCode() != MqttReasonCodes.Disconnect.DISCONNECT_WITH_WILL_MESSAGE.byteValue()) {
                will = null;
            }
            long expiry = intProperty(h.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL, -1);
            if (expiry >= 0) {
                if (sessionExpirySeconds == 0 && expiry > 0) {
                    protocolError("a session expiry set on DISCONNECT after CONNECT set none");
                    return;
                }
                sessionExpirySeconds = expiry;
            }
        } else {
            will = null;
        }
        state = State.CLOSED;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        if (gate != null) {
            gate.close();
        }
        if (inbox != null) {
            endOfBatch();
        }
        if (was == State.AWAIT_CONNECT || session == null) {
            if (taking != null) {
                // Lost while taking its session: it lets go of it as any holder does, without a will.
                boolean ends = sessionExpirySeconds == 0;
                taking.thenCompose(t -> sessions.release(t.session(), this, ends, null, 0))
                        .whenComplete((ended, e) -> closedCleanup.complete(null));
            } else {
                closedCleanup.complete(null);
            }
            ctx.fireChannelInactive();
            return;
        }
        // Deliveries the client did not acknowledge go back to their queues, for the next connection.
        subscribers.forEach(sub -> sub.active = false);
        List<CompletableFuture<Boolean>> releases = new ArrayList<>();
        if (queue != null) {
            releases.add(release(queue, CONSUMER_TAG));
        }
        for (Queue q : sharedQueues.keySet()) {
            releases.add(release(q, memberTag()));
        }
        sharedQueues.clear();
        outbound.clear();
        CompletableFuture<?> released = CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new));
        Will w = will;
        CompletableFuture<Boolean> let = sessions.release(session, this, sessionExpirySeconds == 0,
                w == null ? null : () -> publishWill(w), w == null ? 0 : willDelayMs(w));
        Queue own = queue;
        List<MqttSession.Subscription> shared = new ArrayList<>();
        session.subscriptions().values().stream().filter(sub -> sub.group() != null).forEach(shared::add);
        CompletableFuture<?> cleaned = released.thenCompose(v -> vhost.connectionClosed(this))
                .thenCombine(let, (v, ended) -> ended)
                .thenCompose(ended -> ended ? endSession(own, shared) : CompletableFuture.completedFuture(null));
        cleaned.whenComplete((v, e) -> closedCleanup.complete(null));
        ctx.fireChannelInactive();
    }

    /**
     * An ended session leaves its shared subscriptions and is forgotten; a persistent one's queue
     * (expiry set to 0 at disconnect) goes with it.
     */
    private CompletableFuture<Void> endSession(Queue own, List<MqttSession.Subscription> shared) {
        CompletableFuture<Void> left = leaveAll(shared)
                .thenCompose(v -> vhost.sessions().discard(MqttBindings.STORED_PROTOCOL, session.clientId))
                .exceptionally(e -> null);
        if (own == null || !own.definition().durable()) {
            return left;
        }
        return left.thenCompose(v -> vhost.deleteQueue(own.name(), false, false, client))
                .<Void>thenApply(n -> null).exceptionally(e -> null);
    }

    /** MQTT 5: a will waits for its delay, at most the session's life, unless the client comes back first. */
    private long willDelayMs(Will w) {
        if (w.delayMs() <= 0 || sessionExpirySeconds == 0) {
            return 0;
        }
        return sessionExpirySeconds == NEVER_EXPIRES ? w.delayMs() : Math.min(w.delayMs(), sessionExpirySeconds * 1000);
    }

    private void publishWill(Will w) {
        Message m = MqttMessages.toMessage(w.topic(), w.payload(), w.qos(), w.retain(), w.properties(), session.clientId,
                System.currentTimeMillis());
        try {
            if (w.retain()) {
                if (w.payload().length == 0) {
                    vhost.retained().clear(w.topic());
                } else {
                    vhost.retained().retain(w.topic(), m);
                }
            }
            vhost.publish(m, false, client);
            LOG.debug("MQTT client '{}': published its will to '{}'", session.clientId, w.topic());
        } catch (BrokerException e) {
            LOG.info("MQTT client '{}': its will to '{}' was refused: {}", session.clientId, w.topic(), e.getMessage());
        }
    }
}
