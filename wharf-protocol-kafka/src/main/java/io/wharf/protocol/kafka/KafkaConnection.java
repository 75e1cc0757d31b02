package io.wharf.protocol.kafka;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.wharf.core.alarm.ResourceAlarms;
import io.wharf.core.auth.Client;
import io.wharf.core.auth.User;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.connection.ClientConnections;
import io.wharf.core.session.Authentication;
import io.wharf.core.session.Login;
import io.wharf.core.session.PublishGate;
import io.wharf.protocol.common.ConnectionTracker;
import io.wharf.protocol.common.ReadPauses;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One Kafka client connection. Requests are parsed with kafka-clients' own classes and answered
 * in the order they arrived, as the protocol requires, even when a later one (a metadata request)
 * is ready before an earlier one (a produce waiting for its fsync).
 *
 * <p>A request that cannot be read or is not supported closes the connection, as a Kafka broker
 * does, and is counted as refused under the name of Kafka's error for it.
 *
 * <p>Confined to the connection's event loop; handlers complete their futures on any thread.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnection.class);

    /** A request awaiting its turn to be answered; a null response means none is sent (produce with acks=0). */
    private record Pending(RequestHeader header, CompletableFuture<ApiMessage> response) {
    }

    /** Requests read but not yet answered before the connection stops reading more. */
    private static final int MAX_PENDING = 256;
    private static final String PROTOCOL = "Kafka";
    /** Why reading stops while {@link #MAX_PENDING} requests await their answers. */
    private static final Object PENDING = "pending";
    /** How long a produce answer asks the client to wait while an alarm holds publishers. */
    private static final int ALARM_THROTTLE_MS = 1000;

    private final KafkaBroker broker;
    private final Authentication authentication;
    private final ResourceAlarms alarms;
    private final String anonymousUser;
    private final ClientConnections registry;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private String name = "?";
    private String clientHost = "";
    private ClientConnection connection;
    private Client client;
    private ReadPauses readPauses;
    private PublishGate gate;
    private String clientId;
    /** The partitions the client's latest fetch asked for: what it consumes, as operators see it. */
    private volatile int fetchedPartitions;

    KafkaConnection(KafkaBroker broker, Authentication authentication, ResourceAlarms alarms, String anonymousUser, ClientConnections registry) {
        this.broker = broker;
        this.authentication = authentication;
        this.alarms = alarms;
        this.anonymousUser = anonymousUser;
        this.registry = registry;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.readPauses = new ReadPauses(ctx.channel());
        this.name = ctx.channel().remoteAddress() + " -> " + ctx.channel().localAddress();
        this.clientHost = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a ? "/" + a.getHostString() : "";
        connection = ConnectionTracker.track(ctx.channel(), registry, PROTOCOL, reason -> {
            // Kafka has no way to tell a client why: the socket just closes, and the client reconnects if it wants.
            LOG.info("Kafka connection {}: closed by an operator: {}", name, reason);
            ctx.close();
        });
        User user = anonymous(ctx);
        if (user == null) {
            return;
        }
        client = new Client(user, this, "Kafka connection " + name);
        connection.authenticated(user.name(), broker.vhost().name());
        gate = new PublishGate(alarms, ctx.executor(), PublishGate.Limits.DEFAULT, readPauses.valve(), connection);
        connection.sessions(this::sessions);
        ctx.fireChannelActive();
    }

    /**
     * The user the client acts as: without SASL, the endpoint's anonymous user, if it may
     * connect from the client's address and use the endpoint's virtual host. Otherwise the
     * connection is closed at once, as a Kafka broker closes a client that fails to
     * authenticate, and null is returned.
     */
    private User anonymous(ChannelHandlerContext ctx) {
        InetAddress from = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        String vhost = broker.vhost().name();
        String refusal;
        switch (authentication.passwordOrAnonymous(null, null, from, anonymousUser)) {
            case Login.Accepted a -> {
                Optional<String> vhostRefused = authentication.vhostRefusal(a.user(), vhost);
                if (vhostRefused.isEmpty()) {
                    return a.user();
                }
                refusal = vhostRefused.get();
            }
            case Login.Refused r -> refusal = r.reason() + "; Kafka clients cannot log in yet (kafka.anonymous-user)";
        }
        registry.rejected(PROTOCOL, Errors.SASL_AUTHENTICATION_FAILED.name());
        LOG.warn("Kafka connection {}: refused: {}", name, refusal);
        ctx.close();
        return null;
    }

    /** One session: the client, and the partitions it fetches. */
    private List<ClientConnection.Session> sessions() {
        return List.of(new ClientConnection.Session(connection.clientId(), fetchedPartitions, 0, 0));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            ByteBuffer bytes = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(bytes);
            bytes.flip();
            handle(bytes);
        } finally {
            frame.release();
        }
    }

    private void handle(ByteBuffer bytes) {
        RequestHeader header;
        try {
            header = RequestHeader.parse(bytes);
        } catch (RuntimeException e) {
            refuse(Errors.INVALID_REQUEST, "an unreadable request header: " + e.getMessage());
            return;
        }
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        identify(header.clientId());
        if (!KafkaApis.supports(api, version)) {
            registry.rejected(PROTOCOL, Errors.UNSUPPORTED_VERSION.name());
            if (api == ApiKeys.API_VERSIONS) {
                // Tell the client what is supported, in the oldest form every client reads.
                respond(new RequestHeader(ApiKeys.API_VERSIONS, (short) 0, header.clientId(), header.correlationId()),
                        CompletableFuture.completedFuture(KafkaApis.apiVersions(Errors.UNSUPPORTED_VERSION).data()));
                return;
            }
            if (version >= api.oldestVersion() && version <= api.latestVersion(true)) {
                // A request kafka-clients can read is answered in its own form, with the error.
                try {
                    AbstractRequest refused = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(bytes)).request;
                    respond(header, CompletableFuture.completedFuture(
                            refused.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception(api + " v" + version + " is not supported")).data()));
                    return;
                } catch (RuntimeException malformed) {
                    // Closed below, like any request that does not parse.
                }
            }
            close(api + " version " + version + " is not supported");
            return;
        }
        AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(bytes)).request;
        } catch (RuntimeException e) {
            refuse(Errors.INVALID_REQUEST, "a malformed " + api + " v" + version + " request: " + e.getMessage());
            return;
        }
        describe(request);
        boolean produce = request instanceof ProduceRequest;
        long size = bytes.capacity();
        if (produce) {
            // A produce read during an alarm is still taken; the channel is muted after it.
            gate.beforePublish();
        }
        CompletableFuture<ApiMessage> response;
        try {
            response = broker.handle(header, request, clientHost, connection, client);
        } catch (RuntimeException e) {
            LOG.warn("Kafka connection {}: {} v{} failed: {}", name, api, version, e.toString());
            response = CompletableFuture.completedFuture(request.getErrorResponse(e).data());
        }
        if (produce) {
            // The produce response itself is the acknowledgement: the gate only counts the wait.
            gate.whenStored(size, response, (r, e) -> { });
            response = response.thenApply(this::throttledDuringAlarm);
        }
        respond(header, response);
    }

    /**
     * While an alarm holds publishers, a produce answer asks the client to wait too
     * ({@code throttle_time_ms}, as Kafka's quotas do); clients from 2.0 on then hold back
     * their next requests themselves, besides the muted channel.
     */
    private ApiMessage throttledDuringAlarm(ApiMessage r) {
        if (r instanceof ProduceResponseData d && alarms.blockedReason() != null) {
            d.setThrottleTimeMs(ALARM_THROTTLE_MS);
        }
        return r;
    }

    private void respond(RequestHeader header, CompletableFuture<ApiMessage> response) {
        Pending p = new Pending(header, response);
        pending.add(p);
        if (pending.size() == MAX_PENDING) {
            // A client that pipelines without end must not fill the broker's memory.
            readPauses.pause(PENDING);
        }
        if (response.isDone()) {
            drain();
        } else {
            response.whenComplete((r, e) -> ctx.executor().execute(this::drain));
        }
    }

    /** Writes every answered request at the head of the line, in order. */
    private void drain() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().response().isDone()) {
            Pending p = pending.poll();
            ApiMessage r;
            try {
                r = p.response().join();
            } catch (RuntimeException e) {
                LOG.warn("Kafka connection {}: {} failed: {}", name, p.header().apiKey(), e.toString());
                close("an internal error answering " + p.header().apiKey());
                return;
            }
            if (r == null) {
                continue;
            }
            List<Object> parts;
            try {
                parts = ResponseBytes.of(p.header(), r);
            } catch (RuntimeException e) {
                // A response the version cannot carry is a broker bug; say so rather than vanish.
                LOG.warn("Kafka connection {}: {} v{} response could not be written: {}",
                        name, p.header().apiKey(), p.header().apiVersion(), e.toString());
                close("an internal error answering " + p.header().apiKey());
                return;
            }
            for (Object part : parts) {
                ctx.write(part, ctx.voidPromise());
            }
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < MAX_PENDING / 2) {
            readPauses.resume(PENDING);
        }
    }

    /** Records the client id each request carries; clients send the same one on every request. */
    private void identify(String id) {
        if (id != null && !id.equals(clientId)) {
            clientId = id;
            connection.clientId(id);
        }
    }

    /** Learns what the client says of itself (ApiVersions v3 on) and what it consumes (Fetch). */
    private void describe(AbstractRequest request) {
        if (request instanceof ApiVersionsRequest r && !r.data().clientSoftwareName().isEmpty()) {
            connection.clientProperties(Map.of("product", r.data().clientSoftwareName(),
                    "version", r.data().clientSoftwareVersion()));
        } else if (request instanceof FetchRequest r) {
            int partitions = 0;
            for (var topic : r.data().topics()) {
                partitions += topic.partitions().size();
            }
            if (partitions != fetchedPartitions) {
                fetchedPartitions = partitions;
            }
        }
    }

    /** Closes the connection over a request it cannot serve, counting it under Kafka's error for it. */
    private void refuse(Errors error, String why) {
        registry.rejected(PROTOCOL, error.name());
        close(why);
    }

    private void close(String why) {
        LOG.warn("Kafka connection {}: closing: {}", name, why);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (gate != null) {
            gate.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // Kafka's brokers drop such a request too (InvalidReceiveException), with no error code to send.
            registry.rejected(PROTOCOL, "REQUEST_TOO_LARGE");
            close("a request larger than the limit: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("Kafka connection {}: {}", name, cause.toString());
            ctx.close();
        } else {
            LOG.warn("Kafka connection {}: closing after an unexpected error", name, cause);
            ctx.close();
        }
    }

}
