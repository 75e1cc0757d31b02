package io.wharf.protocol.amqp;

import io.wharf.core.WharfVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.Broker;
import io.wharf.core.auth.Client;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.session.Login;
import io.wharf.core.session.PublishGate;
import io.wharf.core.session.SaslMechanism;
import io.wharf.protocol.common.ReadPauses;
import io.wharf.core.exchange.FieldValues;
import io.wharf.core.message.Message;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.amqp.codec.AmqpException;
import io.wharf.protocol.amqp.codec.BasicMethod;
import io.wharf.protocol.amqp.codec.ChannelMethod;
import io.wharf.protocol.amqp.codec.ConnectionMethod;
import io.wharf.protocol.amqp.codec.Frame;
import io.wharf.protocol.amqp.codec.FrameDecoder;
import io.wharf.protocol.amqp.codec.Frames;
import io.wharf.protocol.amqp.codec.HeartbeatFrame;
import io.wharf.protocol.amqp.codec.Method;
import io.wharf.protocol.amqp.codec.MethodFrame;
import io.wharf.protocol.amqp.codec.ProtocolHeaderFrame;
import io.wharf.protocol.amqp.codec.ReplyCode;
import io.wharf.protocol.common.ConnectionTracker;
import io.wharf.protocol.common.StorageFailures;
import io.wharf.protocol.common.LoopInbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One AMQP 0-9-1 connection: the handshake (protocol header, start/start-ok with PLAIN or
 * AMQPLAIN, tune, open), its channels, heartbeats, flow control and closing. Every method runs on
 * the connection's event loop; work from other threads arrives through {@link #onLoop}.
 *
 * <p>Errors become AMQP closes: a channel error closes the channel with its reply code, a
 * connection error closes the connection; neither reaches Netty's default handler.
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter implements PublishGate.Valve {

    private enum State { AWAIT_HEADER, AWAIT_START_OK, AWAIT_SECURE_OK, AWAIT_TUNE_OK, AWAIT_OPEN, OPEN, CLOSING, CLOSED }

    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);
    private static final String PROTOCOL = "AMQP";
    private static final int MAX_INBOX_RUN = 4096;
    private static final int OUTPUT_CHUNK = 64 * 1024;
    private static final int SMALL_FRAME = 256;

    private final Broker broker;
    private final AmqpSettings settings;
    private final FrameDecoder decoder;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEADER;
    private String name = "?";
    private StorageFailures storageFailures;
    private InetAddress remoteAddress;
    /** The login under way, from connection.start-ok until the client is a user. */
    private SaslMechanism.Exchange login;
    private String mechanism;

    private Map<String, Object> clientProperties = Map.of();
    private Client client;
    private VirtualHost vhost;
    private int frameMax;
    private int channelMax;
    private final Map<Integer, AmqpChannel> channels = new HashMap<>();
    /** The open channels as operators see them; replaced when one opens or closes, read from any thread. */
    private volatile List<AmqpChannel> shownChannels = List.of();
    private ClientConnection connection;

    private boolean reading;
    private boolean flushScheduled;
    private ByteBuf pending;
    private volatile LoopInbox inbox;
    private ReadPauses readPauses;
    private PublishGate gate;
    private boolean blockedSent;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> closeTimeout;

    AmqpConnection(Broker broker, AmqpSettings settings, FrameDecoder decoder) {
        this.broker = broker;
        this.settings = settings;
        this.decoder = decoder;
        this.frameMax = settings.frameMax();
    }

    // ---------------------------------------------------------------- accessors for channels

    AmqpSettings settings() {
        return settings;
    }

    Client client() {
        return client;
    }

    VirtualHost vhost() {
        return vhost;
    }

    Object identity() {
        return this;
    }

    boolean isWritable() {
        ChannelHandlerContext c = ctx;
        return c != null && c.channel().isWritable();
    }

    boolean capability(String capability) {
        Object caps = clientProperties.get("capabilities");
        return caps instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get(capability));
    }

    /**
     * Runs {@code task} on this connection's event loop, after what is already queued there.
     * Tasks from queue and storage threads (deliveries, confirms) gather in an inbox that the event
     * loop drains in one go, so a burst costs one wake-up and one flush, not one per message.
     */
    void onLoop(Runnable task) {
        LoopInbox box = inbox;
        if (box == null) {
            return;
        }
        box.submit(() -> {
            try {
                task.run();
            } catch (AmqpException e) {
                fail(e);
            } catch (RuntimeException e) {
                fail(Errors.toAmqp(e, 0, 0, 0));
            }
        });
    }

    /** Runs a batch of inbox tasks as one burst of writes, flushed once at its end. */
    private void aroundInboxBatch(Runnable batch) {
        boolean wasReading = reading;
        reading = true;
        try {
            batch.run();
        } finally {
            reading = wasReading;
        }
        if (!reading && state != State.CLOSED) {
            flush();
        }
    }

    // ---------------------------------------------------------------- writing

    void send(int channel, Method m) {
        if (state == State.CLOSED) {
            return;
        }
        Frames.writeMethod(output(SMALL_FRAME), channel, m);
        written();
    }

    void sendContent(int channel, Method m, Message msg) {
        if (state == State.CLOSED) {
            return;
        }
        ByteBuf out = output(msg.bodySize() + msg.encodedProperties().length + SMALL_FRAME);
        if (msg.borrowedBody() instanceof ByteBufBody b) {
            Frames.writeContent(out, channel, m, msg.encodedProperties(), b.buf(), frameMax);
        } else {
            Frames.writeContent(out, channel, m, msg.encodedProperties(), msg.body(), frameMax);
        }
        if (!(m instanceof BasicMethod.Return)) {
            connection.messagesOut(1);
        }
        written();
    }

    /** Counts a message the client published. */
    void published() {
        connection.messageIn();
    }

    /**
     * The buffer frames are gathered in, with room for about {@code bytes} more. Frames go to the
     * socket a chunk at a time rather than one buffer each: a burst of deliveries costs a few
     * buffers and writes, not one per message. The buffer is on the heap: frames are written a few
     * bytes at a time, which costs plain array stores there, and the transport copies each chunk to
     * native memory in one go.
     */
    private ByteBuf output(int bytes) {
        if (pending != null && pending.capacity() - pending.writerIndex() < bytes) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
        }
        if (pending == null) {
            pending = ctx.alloc().heapBuffer(Math.max(OUTPUT_CHUNK, bytes));
        }
        return pending;
    }

    private void written() {
        if (!reading && !flushScheduled) {
            // Outside a read burst (deliveries, confirms): one flush for everything queued now.
            flushScheduled = true;
            ctx.executor().execute(() -> {
                flushScheduled = false;
                flush();
            });
        }
    }

    /** Sends everything written so far. */
    private void flush() {
        if (pending != null) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
        }
        ctx.flush();
    }

    private void releaseOutput() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    // ---------------------------------------------------------------- Netty events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.readPauses = new ReadPauses(ctx.channel());
        this.inbox = new LoopInbox(ctx.executor(), MAX_INBOX_RUN, this::aroundInboxBatch);
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            remoteAddress = remote.getAddress();
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            name = remote.getAddress().getHostAddress() + ":" + remote.getPort() + " -> "
                    + local.getAddress().getHostAddress() + ":" + local.getPort();
        }
        storageFailures = new StorageFailures(LOG, "AMQP connection " + name);
        connection = ConnectionTracker.track(ctx.channel(), broker.connections(), "AMQP", this::closeByOperator);
        connection.protocolVersion("0-9-1");
        connection.sessions(this::sessions);
        connection.owner(identity());
        LOG.debug("accepting AMQP connection {}", name);
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state != State.OPEN && state != State.CLOSED) {
                LOG.info("closing AMQP connection {}: the handshake took longer than {}", name, settings.handshakeTimeout());
                ctx.close();
            }
        }, settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        Frame frame = (Frame) msg;
        // handle() owns the frame: every path releases a body frame exactly once, also when it throws.
        try {
            handle(frame);
        } catch (AmqpException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(Errors.toAmqp(e, 0, 0, 0));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof AmqpException e) {
            fail(e);
        } else if (c instanceof IOException) {
            LOG.debug("AMQP connection {}: {}", name, c.toString());
            ctx.close();
        } else {
            LOG.warn("AMQP connection {}: unexpected error", name, c);
            fail(AmqpException.connection(ReplyCode.INTERNAL_ERROR, c.toString()));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            channels.values().forEach(AmqpChannel::wakeConsumers);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            switch (idle.state()) {
                case WRITER_IDLE -> {
                    Frames.writeHeartbeat(output(SMALL_FRAME));
                    flush();
                }
                case READER_IDLE -> {
                    LOG.warn("closing AMQP connection {}: missed heartbeats from the client", name);
                    ctx.close();
                }
                default -> {
                }
            }
        }
    }

    /** The connection is closing or gone: every channel lets go of what it holds, and is forgotten. */
    private void endChannels() {
        channels.values().forEach(AmqpChannel::connectionEnded);
        channels.clear();
        shownChannels = List.of();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseOutput();
        boolean wasOpen = state == State.OPEN || state == State.CLOSING;
        state = State.CLOSED;
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (closeTimeout != null) {
            closeTimeout.cancel(false);
        }
        endChannels();
        if (gate != null) {
            gate.close();
        }
        if (vhost != null) {
            vhost.connectionClosed(this);
        }
        if (wasOpen) {
            LOG.info("AMQP connection {} closed", name);
        }
    }

    // ---------------------------------------------------------------- frames

    private void handle(Frame frame) {
        switch (state) {
            case AWAIT_HEADER -> {
                if (!(frame instanceof ProtocolHeaderFrame header) || !header.supported()) {
                    broker.connections().rejected(PROTOCOL, "UNSUPPORTED_PROTOCOL_HEADER");
                    Frames.writeProtocolHeader(output(SMALL_FRAME));
                    closeSocket();
                    state = State.CLOSED;
                    return;
                }
                sendStart();
                state = State.AWAIT_START_OK;
            }
            case CLOSING -> {
                if (frame instanceof MethodFrame mf && mf.channel() == 0) {
                    if (mf.method() instanceof ConnectionMethod.Close) {
                        // Both sides closed at once: answer, and let the client close the socket.
                        send(0, new ConnectionMethod.CloseOk());
                        flush();
                    } else if (mf.method() instanceof ConnectionMethod.CloseOk) {
                        closeSocket();
                    }
                }
                ReferenceCountUtil.release(frame);
            }
            case CLOSED -> ReferenceCountUtil.release(frame);
            default -> handleOpen(frame);
        }
    }

    private void handleOpen(Frame frame) {
        if (frame instanceof HeartbeatFrame) {
            return;
        }
        if (frame instanceof MethodFrame mf && mf.channel() == 0) {
            connectionMethod(mf.method());
            return;
        }
        int channel = channelOf(frame);
        if (channel == 0) {
            ReferenceCountUtil.release(frame);
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "unexpected content frame on channel 0");
        }
        if (state != State.OPEN) {
            ReferenceCountUtil.release(frame);
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "channel " + channel + " used before connection.open");
        }
        AmqpChannel ch = channels.get(channel);
        if (frame instanceof MethodFrame mf && mf.method() instanceof ChannelMethod.Open) {
            if (ch != null) {
                throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, mf.method().classId(), mf.method().methodId(),
                        "second 'channel.open' seen").withChannel(channel);
            }
            if (channel > channelMax) {
                throw AmqpException.connection(ReplyCode.NOT_ALLOWED, mf.method().classId(), mf.method().methodId(),
                        "channel " + channel + " is beyond the negotiated channel_max of " + channelMax).withChannel(channel);
            }
            channels.put(channel, new AmqpChannel(channel, this));
            channelsChanged();
            send(channel, new ChannelMethod.OpenOk(new byte[0]));
            return;
        }
        if (ch == null) {
            ReferenceCountUtil.release(frame);
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel " + channel)
                    .withChannel(channel);
        }
        ch.handle(frame);
    }

    private static int channelOf(Frame f) {
        return switch (f) {
            case MethodFrame m -> m.channel();
            case io.wharf.protocol.amqp.codec.HeaderFrame h -> h.channel();
            case io.wharf.protocol.amqp.codec.BodyFrame b -> b.channel();
            default -> 0;
        };
    }

    private void connectionMethod(Method m) {
        switch (state) {
            case AWAIT_START_OK -> {
                if (!(m instanceof ConnectionMethod.StartOk startOk)) {
                    throw unexpected("connection.start-ok", m);
                }
                startOk(startOk);
            }
            case AWAIT_SECURE_OK -> {
                if (!(m instanceof ConnectionMethod.SecureOk secureOk)) {
                    throw unexpected("connection.secure-ok", m);
                }
                loginStep(login.respond(secureOk.response()), m);
            }
            case AWAIT_TUNE_OK -> {
                if (!(m instanceof ConnectionMethod.TuneOk tuneOk)) {
                    throw unexpected("connection.tune-ok", m);
                }
                tuneOk(tuneOk);
            }
            case AWAIT_OPEN -> {
                if (!(m instanceof ConnectionMethod.Open open)) {
                    throw unexpected("connection.open", m);
                }
                open(open);
            }
            case OPEN -> {
                switch (m) {
                    case ConnectionMethod.Close c -> {
                        LOG.debug("AMQP connection {}: the client closes it ({} {})", name, c.replyCode(), c.replyText());
                        endChannels();
                        send(0, new ConnectionMethod.CloseOk());
                        flush();
                        // The client closes the socket once it has our close-ok; close it ourselves only if it does not.
                        state = State.CLOSING;
                        closeTimeout = ctx.executor().schedule(this::closeSocket, 1, TimeUnit.SECONDS);
                    }
                    case ConnectionMethod.UpdateSecret u -> send(0, new ConnectionMethod.UpdateSecretOk());
                    case ConnectionMethod.Blocked b -> {
                        // a client may not block the broker; ignored as RabbitMQ does
                    }
                    case ConnectionMethod.Unblocked u -> {
                    }
                    default -> throw unexpected("a connection method allowed on an open connection", m);
                }
            }
            default -> throw unexpected("no method", m);
        }
    }

    private static AmqpException unexpected(String expected, Method got) {
        return AmqpException.connection(ReplyCode.COMMAND_INVALID, got.classId(), got.methodId(),
                "expected " + expected + ", got " + got.name());
    }

    // ---------------------------------------------------------------- handshake

    private void sendStart() {
        Map<String, Object> capabilities = new LinkedHashMap<>();
        for (String c : List.of("publisher_confirms", "exchange_exchange_bindings", "basic.nack", "consumer_cancel_notify",
                "connection.blocked", "consumer_priorities", "authentication_failure_close", "per_consumer_qos",
                "direct_reply_to")) {
            capabilities.put(c, true);
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("capabilities", capabilities);
        props.put("cluster_name", "wharf@" + hostName());
        props.put("copyright", "Wharf contributors");
        props.put("information", "Wharf message broker");
        props.put("platform", "Java " + Runtime.version().feature());
        props.put("product", "Wharf");
        props.put("version", WharfVersion.current());
        send(0, new ConnectionMethod.Start(0, 9, props, String.join(" ", broker.authentication().mechanisms()).getBytes(StandardCharsets.UTF_8),
                "en_US".getBytes(StandardCharsets.UTF_8)));
        flush();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private void startOk(ConnectionMethod.StartOk s) {
        clientProperties = s.clientProperties() == null ? Map.of() : s.clientProperties();
        connection.clientProperties(shownProperties(clientProperties));
        String connectionName = FieldValues.asString(clientProperties.get("connection_name"));
        if (connectionName != null) {
            connection.clientId(connectionName);
        }
        List<String> offered = broker.authentication().mechanisms();
        login = broker.authentication().start(s.mechanism(), remoteAddress).orElseThrow(() ->
                AmqpException.connection(ReplyCode.ACCESS_REFUSED, s.classId(), s.methodId(),
                        "unsupported authentication mechanism '" + s.mechanism() + "'; use one of " + offered));
        mechanism = s.mechanism();
        loginStep(login.respond(s.response()), s);
    }

    /** A login step's outcome: another challenge (connection.secure), or tuning once the client is a user. */
    private void loginStep(Login step, Method m) {
        switch (step) {
            case Login.Challenge c -> {
                send(0, new ConnectionMethod.Secure(c.challenge()));
                state = State.AWAIT_SECURE_OK;
            }
            case Login.Refused r -> {
                LOG.warn("AMQP connection {}: login refused for user '{}': {}", name, r.login(), r.reason());
                throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, m.classId(), m.methodId(),
                        "Login was refused using authentication mechanism " + mechanism
                                + ". For details see the broker logfile.");
            }
            case Login.Accepted a -> {
                login = null;
                client = new Client(a.user(), this, name);
                send(0, new ConnectionMethod.Tune(settings.channelMax(), settings.frameMax(), (int) settings.heartbeat().toSeconds()));
                state = State.AWAIT_TUNE_OK;
            }
        }
    }

    private void tuneOk(ConnectionMethod.TuneOk t) {
        long clientFrameMax = t.frameMax();
        if (clientFrameMax != 0 && clientFrameMax < 4096) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, t.classId(), t.methodId(),
                    "frame_max=" + clientFrameMax + " < 4096 min size");
        }
        if (clientFrameMax > settings.frameMax()) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, t.classId(), t.methodId(),
                    "frame_max=" + clientFrameMax + " > " + settings.frameMax() + " max size");
        }
        frameMax = clientFrameMax == 0 ? settings.frameMax() : (int) clientFrameMax;
        decoder.setMaxFrameSize(frameMax);
        channelMax = t.channelMax() == 0 ? settings.channelMax() : Math.min(t.channelMax(), settings.channelMax());
        int heartbeat = t.heartbeat();
        if (heartbeat > 0) {
            ctx.pipeline().addBefore(ctx.name(), "heartbeat", new IdleStateHandler(heartbeat * 2L,
                    Math.max(1, heartbeat / 2), 0, TimeUnit.SECONDS));
        }
        state = State.AWAIT_OPEN;
    }

    private void open(ConnectionMethod.Open o) {
        VirtualHost v = broker.vhost(o.virtualHost()).orElse(null);
        if (v == null) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, o.classId(), o.methodId(),
                    "vhost " + o.virtualHost() + " not found");
        }
        Optional<String> refused = broker.authentication().vhostRefusal(client.user(), o.virtualHost());
        if (refused.isPresent()) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, o.classId(), o.methodId(), refused.get());
        }
        vhost = v;
        state = State.OPEN;
        connection.authenticated(client.user().name(), v.name());
        handshakeTimeout.cancel(false);
        send(0, new ConnectionMethod.OpenOk(""));
        gate = new PublishGate(broker.alarms(), this::onLoop, PublishGate.Limits.DEFAULT, this, connection);
        LOG.info("AMQP connection {}: user '{}' authenticated and granted access to vhost '{}'", name,
                client.user().name(), v.name());
    }

    // ---------------------------------------------------------------- flow control

    void pauseReading(Object why) {
        readPauses.pause(why);
    }

    void resumeReading(Object why) {
        if (state != State.CLOSED) {
            readPauses.resume(why);
        }
    }

    /** The connection's publish gate; set once the connection is open, which is before any publish. */
    PublishGate gate() {
        return gate;
    }

    /** The gate closed: an alarm blocks the connection (told to clients that understand connection.blocked). */
    @Override
    public void close(PublishGate.Cause cause, String reason) {
        if (cause == PublishGate.Cause.ALARM && !blockedSent && capability("connection.blocked")) {
            send(0, new ConnectionMethod.Blocked(reason.length() > 200 ? reason.substring(0, 200) : reason));
            blockedSent = true;
        }
        pauseReading(cause);
    }

    @Override
    public void open(PublishGate.Cause cause) {
        if (cause == PublishGate.Cause.ALARM) {
            if (blockedSent && state == State.OPEN) {
                send(0, new ConnectionMethod.Unblocked());
            }
            blockedSent = false;
        }
        resumeReading(cause);
    }

    // ---------------------------------------------------------------- closing

    /**
     * Reports an AMQP error: a channel error closes its channel, anything else the connection.
     * Every error the client is told of passes here, and is counted as a refused frame by its
     * reply code's name.
     */
    void fail(AmqpException e) {
        if (state == State.CLOSED || state == State.CLOSING) {
            return;
        }
        broker.connections().rejected(PROTOCOL, e.replyCode().name());
        closeFor(e);
    }

    /** Closes the channel of a channel error, or else the connection, telling the client why. */
    private void closeFor(AmqpException e) {
        if (state == State.CLOSED || state == State.CLOSING) {
            return;
        }
        AmqpChannel ch = channels.get(e.channel());
        if (!e.connectionLevel() && ch != null && state == State.OPEN) {
            // Logged as RabbitMQ logs a channel exception: once, with the code and the reason the client got.
            LOG.info("AMQP connection {}: closing channel {}: {} {}", name, e.channel(), e.replyCode(), e.replyText());
            ch.closeWithError(e);
            flush();
            return;
        }
        LOG.warn("AMQP connection {}: closing the connection: {}", name, e.replyText());
        if (state == State.AWAIT_HEADER) {
            ctx.close();
            state = State.CLOSED;
            return;
        }
        if ((state == State.AWAIT_START_OK || state == State.AWAIT_SECURE_OK) && e.replyCode() == ReplyCode.ACCESS_REFUSED
                && !capability("authentication_failure_close")) {
            // Clients from before authentication_failure_close expect the socket to just close.
            closeSocket();
            return;
        }
        endChannels();
        send(0, new ConnectionMethod.Close(e.code(), e.replyText(), e.classId(), e.methodId()));
        flush();
        state = State.CLOSING;
        decoder.setMaxFrameSize(Math.max(frameMax, 4096));
        closeTimeout = ctx.executor().schedule(this::closeSocket, 5, TimeUnit.SECONDS);
    }

    /** Closes the connection as the broker shuts down, telling the client why. */
    void forceClose(String reason) {
        onLoop(() -> closeFor(AmqpException.connection(ReplyCode.CONNECTION_FORCED,
                "broker forced connection closure with reason '" + reason + "'")));
    }

    /**
     * Closes the connection on an operator's request, as RabbitMQ does: connection.close with
     * {@code CONNECTION_FORCED - <reason>}, and the socket closed on the client's close-ok or
     * after a grace period. Runs on the event loop.
     */
    private void closeByOperator(String reason) {
        LOG.info("AMQP connection {}: closed by an operator: {}", name, reason);
        closeFor(AmqpException.connection(ReplyCode.CONNECTION_FORCED, reason));
    }

    void channelClosed(AmqpChannel ch) {
        if (channels.remove(ch.number, ch)) {
            channelsChanged();
        }
    }

    private void channelsChanged() {
        shownChannels = List.copyOf(channels.values());
    }

    /** One session per open channel; called from any thread. */
    private List<ClientConnection.Session> sessions() {
        List<AmqpChannel> open = shownChannels;
        List<ClientConnection.Session> out = new ArrayList<>(open.size());
        for (AmqpChannel ch : open) {
            out.add(ch.session());
        }
        return out;
    }

    /** Client properties as text: nested tables (capabilities) are left out, bytes read as UTF-8. */
    private static Map<String, String> shownProperties(Map<String, Object> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (v != null && !(v instanceof Map<?, ?>) && !(v instanceof List<?>)) {
                String text = FieldValues.asString(v);
                out.put(k, text != null ? text : String.valueOf(v));
            }
        });
        return out;
    }

    private void closeSocket() {
        state = State.CLOSED;
        flush();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Publishes of this connection that could not be stored, logged once per run. */
    StorageFailures storageFailures() {
        return storageFailures;
    }

    @Override
    public String toString() {
        return "AMQP connection " + name;
    }
}
