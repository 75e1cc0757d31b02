package io.wharf.management;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.wharf.core.Broker;
import io.wharf.core.Lifecycle;
import io.wharf.management.api.ManagementApi;
import io.wharf.management.api.Rates;
import io.wharf.management.metrics.BrokerMetrics;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.BasicAuth;
import io.wharf.management.http.HttpFrontDoor;
import io.wharf.management.http.Router;
import io.wharf.management.http.StaticFiles;
import io.wharf.protocol.common.EventLoops;
import io.wharf.protocol.common.Listener;
import io.wharf.storage.concurrent.NamedThreadFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The broker's HTTP port: the management API, the web console, the Prometheus metrics and the
 * health check, on Netty.
 * Routes run on a small pool of their own, since they wait for the broker's answers.
 */
public final class ManagementEndpoint implements AutoCloseable {

    /** Request bodies larger than this are refused with 413. */
    static final int MAX_BODY = 16 << 20;
    /** Connections that send nothing for this long are closed; a route answers well within it. */
    static final int IDLE_SECONDS = 120;

    private final Listener listener;
    private final ThreadPoolExecutor executor;
    private final Rates rates;
    private final Router router;
    private final BrokerMetrics metrics;

    private ManagementEndpoint(Listener listener, ThreadPoolExecutor executor, Rates rates, Router router, BrokerMetrics metrics) {
        this.listener = listener;
        this.executor = executor;
        this.rates = rates;
        this.router = router;
        this.metrics = metrics;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static ManagementEndpoint start(Broker broker, ManagementSettings settings, EventLoops loops) throws IOException {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
                new NamedThreadFactory("http-api", true));
        Rates rates = new Rates(broker, settings.rateInterval());
        BrokerMetrics metrics = new BrokerMetrics(broker);
        try {
            // The overview lists this port too, known only once bound when 0 was asked for.
            AtomicInteger boundPort = new AtomicInteger(settings.port());
            Router router = ManagementApi.routes(broker, rates, () -> {
                Map<String, Integer> all = new LinkedHashMap<>(settings.listeners());
                all.put("http", boundPort.get());
                return all;
            });
            router.get("/metrics", Router.Level.OPEN, req -> {
                BrokerMetrics.Exposition e = metrics.scrape(req.header("accept"));
                return ApiResponse.bytes(200, e.body().getBytes(StandardCharsets.UTF_8), e.contentType());
            });
            HttpFrontDoor door = new HttpFrontDoor(router, new BasicAuth(broker.users()), new StaticFiles(), executor,
                    () -> broker.state() == Lifecycle.RUNNING);
            Listener listener = Listener.bind(loops, "http", settings.host(), settings.port(),
                    new WriteBufferWaterMark(64 << 10, 1 << 20), ch -> ch.pipeline()
                            // An idle or stalled client does not hold a connection for ever.
                            .addLast(new ReadTimeoutHandler(IDLE_SECONDS))
                            .addLast(new HttpServerCodec())
                            .addLast(new HttpServerKeepAliveHandler())
                            .addLast(new HttpObjectAggregator(MAX_BODY))
                            .addLast(door));
            boundPort.set(listener.port());
            return new ManagementEndpoint(listener, executor, rates, router, metrics);
        } catch (IOException | RuntimeException e) {
            metrics.close();
            rates.close();
            executor.shutdownNow();
            throw e;
        }
    }

    public int port() {
        return listener.port();
    }

    /** The API's routes, for documentation checks. */
    public Router router() {
        return router;
    }

    @Override
    public void close() {
        listener.close();
        rates.close();
        metrics.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
