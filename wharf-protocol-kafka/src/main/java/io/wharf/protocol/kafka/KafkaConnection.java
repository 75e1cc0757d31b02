package io.wharf.protocol.kafka;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One Kafka client connection. Requests are parsed with kafka-clients' own classes and answered
 * in the order they arrived, as the protocol requires, even when a later one (a metadata request)
 * is ready before an earlier one (a produce waiting for its fsync).
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

    private final KafkaBroker broker;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private String name = "?";
    private String clientHost = "";

    KafkaConnection(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.name = ctx.channel().remoteAddress() + " -> " + ctx.channel().localAddress();
        this.clientHost = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a ? "/" + a.getHostString() : "";
        ctx.fireChannelActive();
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
            close("an unreadable request header: " + e.getMessage());
            return;
        }
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        if (!KafkaApis.supports(api, version)) {
            if (api == ApiKeys.API_VERSIONS) {
                // Tell the client what is supported, in the oldest form every client reads.
                respond(new RequestHeader(ApiKeys.API_VERSIONS, (short) 0, header.clientId(), header.correlationId()),
                        CompletableFuture.completedFuture(KafkaApis.apiVersions(Errors.UNSUPPORTED_VERSION).data()));
                return;
            }
            close(api + " version " + version + " is not supported");
            return;
        }
        AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(bytes)).request;
        } catch (RuntimeException e) {
            close("a malformed " + api + " v" + version + " request: " + e.getMessage());
            return;
        }
        CompletableFuture<ApiMessage> response;
        try {
            response = broker.handle(header, request, clientHost);
        } catch (RuntimeException e) {
            LOG.warn("Kafka connection {}: {} v{} failed: {}", name, api, version, e.toString());
            response = CompletableFuture.completedFuture(request.getErrorResponse(e).data());
        }
        respond(header, response);
    }

    private void respond(RequestHeader header, CompletableFuture<ApiMessage> response) {
        Pending p = new Pending(header, response);
        pending.add(p);
        if (pending.size() == MAX_PENDING) {
            // A client that pipelines without end must not fill the broker's memory.
            ctx.channel().config().setAutoRead(false);
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
            for (Object part : ResponseBytes.of(p.header(), r)) {
                ctx.write(part, ctx.voidPromise());
            }
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < MAX_PENDING / 2 && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void close(String why) {
        LOG.warn("Kafka connection {}: closing: {}", name, why);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            close("a request larger than the limit: " + cause.getMessage());
        } else {
            LOG.debug("Kafka connection {}: {}", name, cause.toString());
            ctx.close();
        }
    }

}
