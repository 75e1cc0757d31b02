package io.wharf.examples.rpc;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.wharf.examples.BrokerArgs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Request/reply, client side: sends requests to {@value RpcServer#QUEUE} and waits for the answers.
 * Each request carries a fresh {@code correlation_id}, and the answer to it comes back with the
 * same one, which is how several requests can be in flight at once on one channel.
 *
 * <p>Answers come back through <em>direct reply-to</em> by default: the client consumes the
 * pseudo-queue {@value #DIRECT_REPLY_TO} (with automatic acknowledgement, and before it publishes
 * anything), and puts that name in {@code reply_to}; the broker swaps in a private address and
 * hands replies straight to this channel, with no queue to declare or delete. With
 * {@link ReplyMode#PRIVATE_QUEUE} it declares an exclusive server-named queue instead, the classic
 * way that works on any broker.
 *
 * <pre>
 * examples/run RpcClient [amqp-uri] [--private-queue] [n...]
 * examples/run RpcClient 10 20 30
 * </pre>
 *
 * Asks for fib(n) of each argument, all at once, and prints the answers; without arguments it asks
 * for fib(30). Start {@link RpcServer} first.
 */
public final class RpcClient implements AutoCloseable {

    /** The pseudo-queue a client consumes to receive replies without a reply queue. */
    public static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";

    /** Where the answers to this client's requests are sent. */
    public enum ReplyMode {
        /** To the channel itself, through {@value RpcClient#DIRECT_REPLY_TO}. */
        DIRECT_REPLY_TO,
        /** To an exclusive, server-named queue of this client's connection. */
        PRIVATE_QUEUE
    }

    /**
     * An answer as it arrived.
     *
     * @param correlationId the correlation id of the reply, equal to that of its request
     * @param replyAddress  the routing key the reply was delivered under: the direct reply-to
     *                      address the broker gave this channel, or the private queue's name
     * @param body          the server's answer
     */
    public record Response(String correlationId, String replyAddress, String body) {
    }

    private final Connection connection;
    private final Channel channel;
    private final String replyTo;
    private final Supplier<String> correlationIds;
    private final Map<String, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();

    private RpcClient(Connection connection, ReplyMode mode, Supplier<String> correlationIds) throws IOException {
        this.connection = connection;
        this.correlationIds = correlationIds;
        this.channel = connection.createChannel();
        this.replyTo = switch (mode) {
            // No declaration: the pseudo-queue exists on every channel, but only for a consumer with autoAck.
            case DIRECT_REPLY_TO -> DIRECT_REPLY_TO;
            case PRIVATE_QUEUE -> channel.queueDeclare().getQueue();
        };
        // Consuming must come first: the broker refuses a publish naming amq.rabbitmq.reply-to
        // from a channel that does not consume it yet.
        channel.basicConsume(replyTo, true, (consumerTag, delivery) -> complete(delivery), consumerTag -> { });
    }

    /** Connects a client that uses random UUIDs as correlation ids. */
    public static RpcClient connect(ConnectionFactory factory, ReplyMode mode) throws IOException, TimeoutException {
        return connect(factory, mode, () -> UUID.randomUUID().toString());
    }

    /** Connects a client that takes its correlation ids, which must be unique, from {@code correlationIds}. */
    public static RpcClient connect(ConnectionFactory factory, ReplyMode mode, Supplier<String> correlationIds)
            throws IOException, TimeoutException {
        Connection connection = factory.newConnection("rpc-client");
        try {
            return new RpcClient(connection, Objects.requireNonNull(mode), Objects.requireNonNull(correlationIds));
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
    }

    public static void main(String[] args) throws Exception {
        BrokerArgs cli = BrokerArgs.parse(args);
        List<String> rest = new ArrayList<>(cli.rest());
        ReplyMode mode = rest.remove("--private-queue") ? ReplyMode.PRIVATE_QUEUE : ReplyMode.DIRECT_REPLY_TO;
        if (rest.isEmpty()) {
            rest.add("30");
        }
        try (RpcClient client = connect(cli.connectionFactory(), mode)) {
            List<CompletableFuture<Response>> answers = new ArrayList<>();
            for (String n : rest) {
                System.out.println(" [x] Requesting fib(" + n + ")");
                answers.add(client.call(n));
            }
            for (int i = 0; i < rest.size(); i++) {
                Response response = answers.get(i).get(30, TimeUnit.SECONDS);
                System.out.println(" [.] fib(" + rest.get(i) + ") = " + response.body());
            }
        }
    }

    /**
     * Sends one request; the future completes with the answer whose correlation id matches. It
     * never completes if no server answers: bound the wait with {@code get(timeout)} or
     * {@code orTimeout}.
     */
    public CompletableFuture<Response> call(String request) throws IOException {
        String correlationId = correlationIds.get();
        CompletableFuture<Response> answer = new CompletableFuture<>();
        // Registered before publishing: the reply may arrive before basicPublish returns.
        if (pending.putIfAbsent(correlationId, answer) != null) {
            throw new IllegalStateException("correlation id already in use: " + correlationId);
        }
        // Forgotten however the call ends, so abandoned requests do not pile up.
        answer.whenComplete((r, e) -> pending.remove(correlationId, answer));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .correlationId(correlationId)
                .replyTo(replyTo)
                .build();
        try {
            // A channel is not meant for concurrent publishers; callers on several threads take turns.
            synchronized (channel) {
                channel.basicPublish("", RpcServer.QUEUE, props, request.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            answer.completeExceptionally(e);
            throw e;
        }
        return answer;
    }

    private void complete(Delivery delivery) {
        String correlationId = delivery.getProperties().getCorrelationId();
        CompletableFuture<Response> answer = correlationId == null ? null : pending.get(correlationId);
        if (answer == null) {
            // A late answer to a request given up on, or a stray message: nobody is waiting for it.
            return;
        }
        answer.complete(new Response(correlationId, delivery.getEnvelope().getRoutingKey(),
                new String(delivery.getBody(), StandardCharsets.UTF_8)));
    }

    /** Disconnects; calls still waiting fail. */
    @Override
    public void close() throws IOException {
        try {
            connection.close();
        } finally {
            IOException closed = new IOException("client closed");
            pending.values().forEach(answer -> answer.completeExceptionally(closed));
        }
    }
}
