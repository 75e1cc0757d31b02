package io.wharf.management.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wharf.core.BrokerException;
import io.wharf.core.auth.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Where every HTTP request comes in: routes {@code /api}, {@code /metrics} and {@code /health},
 * authenticates, runs the route off the event loop (routes wait for the broker) and writes the
 * answer; anything else is a static file of the console. Refusals become JSON errors; a fault
 * of ours becomes a 500 that is logged.
 */
@ChannelHandler.Sharable
public final class HttpFrontDoor extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpFrontDoor.class);

    private final Router router;
    private final BasicAuth auth;
    private final StaticFiles files;
    private final Executor executor;
    private final BooleanSupplier running;

    public HttpFrontDoor(Router router, BasicAuth auth, StaticFiles files, Executor executor, BooleanSupplier running) {
        this.router = router;
        this.auth = auth;
        this.files = files;
        this.executor = executor;
        this.running = running;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (!msg.decoderResult().isSuccess()) {
            Throwable cause = msg.decoderResult().cause();
            ApiException e = cause instanceof TooLongFrameException
                    ? new ApiException(413, "too_large", "the request is too large", null)
                    : ApiException.badRequest(null, "malformed HTTP request: " + cause.getMessage());
            write(ctx, false, false, error(e, false));
            return;
        }
        String method = msg.method().name();
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        Map<String, String> headers = new HashMap<>();
        msg.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        byte[] body = new byte[msg.content().readableBytes()];
        msg.content().readBytes(body);
        Map<String, String> query = new LinkedHashMap<>();
        uri.parameters().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(v.size() - 1)));
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        boolean head = method.equals("HEAD");
        try {
            executor.execute(() -> write(ctx, keepAlive, head, answer(method, uri.rawPath(), query, headers, body, remote)));
        } catch (RejectedExecutionException e) {
            write(ctx, false, head, error(new ApiException(503, "unavailable", "the broker is busy or stopping", null), false));
        }
    }

    private ApiResponse answer(String method, String rawPath, Map<String, String> query, Map<String, String> headers,
                               byte[] body, InetSocketAddress remote) {
        boolean fromScript = headers.containsKey("x-requested-with");
        try {
            if (!running.getAsBoolean()) {
                throw new ApiException(503, "unavailable", "the broker is stopping", null);
            }
            Router.Match match = router.match(method, rawPath).orElse(null);
            if (match == null) {
                return staticFile(method, rawPath);
            }
            User user = match.route().level() == Router.Level.OPEN ? null
                    : auth.authenticate(headers.get("authorization"), remote.getAddress(), match.route().level());
            return match.route().handler().handle(new ApiRequest(method, match.params(), query, body, headers, user, remote));
        } catch (ApiException e) {
            return error(e, !fromScript);
        } catch (BrokerException e) {
            return error(ApiException.from(e), !fromScript);
        } catch (Router.MethodNotAllowed e) {
            ApiResponse r = error(new ApiException(405, "method_not_allowed", "use " + String.join(", ", e.allowed()), null), false);
            return new ApiResponse(r.status(), r.json(), null, null, Map.of("Allow", String.join(", ", e.allowed())));
        } catch (RuntimeException e) {
            LOG.error("HTTP {} {} failed", method, rawPath, e);
            return error(new ApiException(500, "internal_error", "the broker failed to answer: " + e, null), false);
        }
    }

    private ApiResponse staticFile(String method, String rawPath) {
        if (rawPath.startsWith("/api/")) {
            throw ApiException.notFound("no such API path: " + rawPath);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw ApiException.notFound("no such path: " + rawPath);
        }
        String path;
        try {
            path = QueryStringDecoder.decodeComponent(rawPath);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(null, "the path has an invalid percent-encoding");
        }
        return files.find(path).map(f -> ApiResponse.bytes(200, f.bytes(), f.contentType()))
                .orElseThrow(() -> ApiException.notFound("no such path: " + rawPath));
    }

    private static ApiResponse error(ApiException e, boolean challenge) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error());
        body.put("reason", e.getMessage());
        if (e.field() != null) {
            body.put("field", e.field());
        }
        // A browser's script asks for no login dialog: the console draws its own.
        Map<String, String> headers = e.status() == 401 && challenge ? Map.of("WWW-Authenticate", "Basic realm=\"Wharf\"") : Map.of();
        return new ApiResponse(e.status(), body, null, null, headers);
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, boolean head, ApiResponse r) {
        byte[] bytes;
        String type;
        if (r.bytes() != null) {
            bytes = r.bytes();
            type = r.contentType();
        } else if (r.json() != null) {
            try {
                bytes = Json.MAPPER.writeValueAsBytes(r.json());
            } catch (JsonProcessingException e) {
                LOG.error("cannot write a JSON answer", e);
                bytes = "{\"error\":\"internal_error\",\"reason\":\"cannot write the answer\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                r = new ApiResponse(500, null, null, null, Map.of());
            }
            type = "application/json";
        } else {
            bytes = new byte[0];
            type = null;
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        if (type != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        resp.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().forEach((k, v) -> resp.headers().set(k, v));
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(resp);
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
