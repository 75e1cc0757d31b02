package io.wharf.examples.rpc;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.wharf.examples.Brokers;
import io.wharf.examples.rpc.RpcClient.ReplyMode;
import io.wharf.examples.rpc.RpcClient.Response;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RpcTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private ConnectionFactory factory;
    private RpcServer server;

    @BeforeEach
    void startServer() throws Exception {
        factory = Brokers.factory(wharf);
        // Requests a previous test left unanswered would reach this test's server first.
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(RpcServer.QUEUE, false, false, false, null);
            channel.queuePurge(RpcServer.QUEUE);
        }
        server = new RpcServer(factory);
        server.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void shouldAnswerWithTheRightFibonacciNumbersViaDirectReplyTo() throws Exception {
        try (RpcClient client = RpcClient.connect(factory, ReplyMode.DIRECT_REPLY_TO, sequence("call-"))) {
            List<CompletableFuture<Response>> answers = new ArrayList<>();
            // All in flight at once: only the correlation ids tell the answers apart.
            for (int n = 0; n <= 30; n++) {
                answers.add(client.call(Integer.toString(n)));
            }

            for (int n = 0; n <= 30; n++) {
                Response response = answers.get(n).get(30, TimeUnit.SECONDS);
                assertThat(response.body()).isEqualTo(RpcServer.fib(n).toString());
                assertThat(response.correlationId()).isEqualTo("call-" + n);
                assertThat(response.replyAddress()).startsWith(RpcClient.DIRECT_REPLY_TO + ".");
            }
        }
    }

    @Test
    void shouldRouteEachAnswerToTheClientThatAsked() throws Exception {
        // The same correlation ids on both clients: answers must be told apart by reply address alone.
        try (RpcClient first = RpcClient.connect(factory, ReplyMode.DIRECT_REPLY_TO, sequence("id-"));
             RpcClient second = RpcClient.connect(factory, ReplyMode.DIRECT_REPLY_TO, sequence("id-"))) {
            List<CompletableFuture<Response>> firstAnswers = new ArrayList<>();
            List<CompletableFuture<Response>> secondAnswers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                firstAnswers.add(first.call(Integer.toString(i)));
                secondAnswers.add(second.call(Integer.toString(50 + i)));
            }

            for (int i = 0; i < 10; i++) {
                assertThat(firstAnswers.get(i).get(30, TimeUnit.SECONDS).body()).isEqualTo(RpcServer.fib(i).toString());
                assertThat(secondAnswers.get(i).get(30, TimeUnit.SECONDS).body()).isEqualTo(RpcServer.fib(50 + i).toString());
            }
            assertThat(firstAnswers.getFirst().join().replyAddress())
                    .isNotEqualTo(secondAnswers.getFirst().join().replyAddress());
        }
    }

    @Test
    void shouldAnswerThroughAPrivateReplyQueue() throws Exception {
        String replyQueue;
        try (RpcClient client = RpcClient.connect(factory, ReplyMode.PRIVATE_QUEUE, sequence("q-"))) {
            CompletableFuture<Response> fib20 = client.call("20");
            CompletableFuture<Response> fib90 = client.call("90");

            assertThat(fib20.get(30, TimeUnit.SECONDS)).satisfies(r -> {
                assertThat(r.body()).isEqualTo("6765");
                assertThat(r.correlationId()).isEqualTo("q-0");
            });
            assertThat(fib90.get(30, TimeUnit.SECONDS)).satisfies(r -> {
                assertThat(r.body()).isEqualTo("2880067194370816120");
                assertThat(r.correlationId()).isEqualTo("q-1");
            });
            replyQueue = fib20.join().replyAddress();
            assertThat(replyQueue).isEqualTo(fib90.join().replyAddress()).startsWith("amq.gen-");
        }

        // Exclusive to the client's connection, the reply queue goes with it.
        await().until(() -> !Brokers.queueExists(factory, replyQueue));
    }

    @Test
    void shouldAnswerABadRequestWithAnError() throws Exception {
        try (RpcClient client = RpcClient.connect(factory, ReplyMode.DIRECT_REPLY_TO)) {
            assertThat(client.call("ten").get(30, TimeUnit.SECONDS).body()).startsWith("error:");
            assertThat(client.call("-1").get(30, TimeUnit.SECONDS).body()).startsWith("error:");
            assertThat(client.call("7").get(30, TimeUnit.SECONDS).body()).isEqualTo("13");
        }
    }

    @Test
    void shouldFailCallsStillWaitingWhenTheClientCloses() throws Exception {
        server.close();
        RpcClient client = RpcClient.connect(factory, ReplyMode.DIRECT_REPLY_TO);
        CompletableFuture<Response> unanswered = client.call("10");

        client.close();

        assertThat(unanswered).isCompletedExceptionally();
    }

    @Test
    void shouldRefuseADirectReplyToRequestFromAChannelNotConsumingIt() throws Exception {
        // Why RpcClient consumes amq.rabbitmq.reply-to before it publishes anything. The refusal
        // closes only the channel, with 406 PRECONDITION_FAILED; the connection carries on.
        try (Connection connection = factory.newConnection()) {
            Channel channel = connection.createChannel();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .replyTo(RpcClient.DIRECT_REPLY_TO).correlationId("x").build();
            channel.basicPublish("", RpcServer.QUEUE, props, "1".getBytes(StandardCharsets.UTF_8));

            await().until(() -> !channel.isOpen());
            ShutdownSignalException reason = channel.getCloseReason();
            assertThat(reason.getReason())
                    .as("a channel error, not a connection error")
                    .isInstanceOfSatisfying(AMQP.Channel.Close.class,
                            close -> assertThat(close.getReplyCode()).isEqualTo(AMQP.PRECONDITION_FAILED));
            assertThat(connection.isOpen()).isTrue();
            try (Channel next = connection.createChannel()) {
                assertThat(next.queueDeclarePassive(RpcServer.QUEUE).getQueue()).isEqualTo(RpcServer.QUEUE);
            }
        }
    }

    @Test
    void shouldComputeFibonacciNumbersExactly() {
        assertThat(RpcServer.fib(0)).isEqualTo(BigInteger.ZERO);
        assertThat(RpcServer.fib(1)).isEqualTo(BigInteger.ONE);
        assertThat(RpcServer.fib(2)).isEqualTo(BigInteger.ONE);
        assertThat(RpcServer.fib(10)).isEqualTo(BigInteger.valueOf(55));
        assertThat(RpcServer.fib(100)).isEqualTo(new BigInteger("354224848179261915075"));
        assertThatThrownBy(() -> RpcServer.fib(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Supplier<String> sequence(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return () -> prefix + next.getAndIncrement();
    }
}
