package io.wharf.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wharf.core.Lifecycle;
import io.wharf.storage.concurrent.NamedThreadFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The broker's HTTP listener. For now it answers {@code GET /health} with the broker's state, so
 * scripts and orchestrators can tell when it is up: 200 while running, 503 otherwise.
 */
public final class HealthEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static HealthEndpoint start(String host, int port, Supplier<Lifecycle> state) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new IOException("cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, new NamedThreadFactory("http", true));
        server.setExecutor(executor);
        server.createContext("/health", exchange -> health(exchange, state.get()));
        server.createContext("/", exchange -> respond(exchange, 404, "{\"error\":\"not found\"}"));
        server.start();
        return new HealthEndpoint(server, executor);
    }

    private static void health(HttpExchange exchange, Lifecycle state) throws IOException {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "{\"error\":\"method not allowed\"}");
            return;
        }
        String body = "{\"status\":\"" + state.name().toLowerCase() + "\"}";
        respond(exchange, state == Lifecycle.RUNNING ? 200 : 503, body);
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
