package io.wharf.examples.rpc;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.wharf.examples.BrokerArgs;
import io.wharf.examples.UntilStopped;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Request/reply, server side: takes requests from the queue {@value #QUEUE}, computes the
 * Fibonacci number asked for and publishes the answer to the request's {@code reply_to} address
 * with the request's {@code correlation_id}, so the client can match it to its question. Several
 * servers may consume the queue to share the load.
 *
 * <pre>
 * examples/run RpcServer [amqp-uri]
 * </pre>
 *
 * Runs until Ctrl-C; query it with {@link RpcClient}.
 */
public final class RpcServer implements AutoCloseable {

    /** The queue clients send their requests to. */
    public static final String QUEUE = "rpc_queue";

    /** Larger inputs would keep a server busy for little benefit to an example. */
    static final int MAX_N = 10_000;

    private final ConnectionFactory factory;
    private final BiConsumer<String, String> onAnswer;
    private Connection connection;

    /** A server that answers silently. */
    public RpcServer(ConnectionFactory factory) {
        this(factory, (question, answer) -> { });
    }

    /** @param onAnswer told each question and its answer, once answered */
    public RpcServer(ConnectionFactory factory, BiConsumer<String, String> onAnswer) {
        this.factory = Objects.requireNonNull(factory);
        this.onAnswer = Objects.requireNonNull(onAnswer);
    }

    public static void main(String[] args) throws Exception {
        RpcServer server = new RpcServer(BrokerArgs.parse(args).connectionFactory(),
                (question, answer) -> System.out.println(" [.] fib(" + question + ") = " + answer));
        server.start();
        System.out.println(" [*] Awaiting requests on " + QUEUE + ". Press Ctrl-C to stop.");
        UntilStopped.await(server);
    }

    /** Connects and starts serving requests. */
    public synchronized void start() throws IOException, TimeoutException {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        connection = factory.newConnection("rpc-server");
        Channel channel = connection.createChannel();
        channel.queueDeclare(QUEUE, false, false, false, null);
        // Requests queued beyond the one in hand stay available to other servers.
        channel.basicQos(1);
        channel.basicConsume(QUEUE, false, (consumerTag, delivery) -> serve(channel, delivery), consumerTag -> { });
    }

    private void serve(Channel channel, Delivery request) throws IOException {
        AMQP.BasicProperties props = request.getProperties();
        String question = new String(request.getBody(), StandardCharsets.UTF_8);
        String answer = answer(question);
        if (props.getReplyTo() != null) {
            AMQP.BasicProperties replyProps = new AMQP.BasicProperties.Builder()
                    .correlationId(props.getCorrelationId())
                    .build();
            // Reply addresses are queue names (or direct reply-to addresses): the default exchange reaches both.
            channel.basicPublish("", props.getReplyTo(), replyProps, answer.getBytes(StandardCharsets.UTF_8));
        }
        // Acknowledged after replying: a server that dies in between leaves the request for another.
        channel.basicAck(request.getEnvelope().getDeliveryTag(), false);
        onAnswer.accept(question, answer);
    }

    /** The reply to a request: the decimal Fibonacci number, or a line starting "error:". */
    static String answer(String question) {
        int n;
        try {
            n = Integer.parseInt(question.strip());
        } catch (NumberFormatException e) {
            return "error: not a number: " + question;
        }
        if (n < 0 || n > MAX_N) {
            return "error: n must be between 0 and " + MAX_N + ", was " + n;
        }
        return fib(n).toString();
    }

    /** The n-th Fibonacci number, fib(0) = 0 and fib(1) = 1; computed iteratively, it is exact for any n. */
    public static BigInteger fib(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        BigInteger previous = BigInteger.ZERO;
        BigInteger current = BigInteger.ONE;
        for (int i = 0; i < n; i++) {
            BigInteger next = previous.add(current);
            previous = current;
            current = next;
        }
        return previous;
    }

    @Override
    public synchronized void close() throws IOException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
