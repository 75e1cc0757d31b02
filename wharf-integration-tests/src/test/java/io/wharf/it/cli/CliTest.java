package io.wharf.it.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.it.support.CliRunner.Run;
import io.wharf.it.support.CliRunner;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code wharf} client commands against an embedded broker's HTTP API: output, JSON and exit codes. */
class CliTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliRunner cli;

    @BeforeEach
    void connect() {
        cli = CliRunner.forPort(wharf.httpPort());
    }

    private static JsonNode json(Run run) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    private JsonNode queue(String name) throws Exception {
        for (JsonNode q : json(cli.run("queues", "list", "--json"))) {
            if (q.path("name").asText().equals(name)) {
                return q;
            }
        }
        throw new AssertionError("no queue " + name);
    }

    private void declare(String queue) {
        assertThat(cli.run("queue", "declare", queue).exitCode()).isZero();
    }

    @Test
    void shouldShowTheBrokersStatus() throws Exception {
        Run status = cli.run("status");

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("Wharf").contains("running").contains("amqp " + wharf.amqpPort())
                .contains("kafka " + wharf.kafkaPort()).containsPattern("objects +\\d+ queues?");
        assertThat(json(cli.run("status", "--json")).path("product_name").asText()).isEqualTo("Wharf");
    }

    @Test
    void shouldListADeclaredQueueInTheTableAndAsJson() throws Exception {
        Run declared = cli.run("queue", "declare", "cli-orders", "--arg", "x-max-length=1000", "--arg", "x-overflow=reject-publish");

        assertThat(declared.exitCode()).as(declared.err()).isZero();
        assertThat(declared.out()).isEqualTo("declared queue cli-orders\n");
        Run table = cli.run("queues", "list");
        assertThat(table.exitCode()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).startsWith("NAME").contains("MESSAGES").contains("CONSUMERS");
        assertThat(lines).anyMatch(l -> l.matches("cli-orders +classic +yes +0 +0 +0 .*"));
        JsonNode q = queue("cli-orders");
        assertThat(q.path("durable").asBoolean()).isTrue();
        assertThat(q.path("arguments").path("x-max-length").isNumber()).isTrue();
        assertThat(q.path("arguments").path("x-max-length").asLong()).isEqualTo(1000);
        assertThat(q.path("arguments").path("x-overflow").asText()).isEqualTo("reject-publish");
        assertThat(cli.run("queue", "declare", "cli-orders", "--arg", "x-max-length=1000", "--arg", "x-overflow=reject-publish").out())
                .isEqualTo("queue cli-orders exists already with these properties\n");
    }

    @Test
    void shouldPublishFromArgumentsAndConsumeInOrder() {
        declare("cli-args");

        Run published = cli.run("publish", "--routing-key", "cli-args", "one", "two", "three");
        Run consumed = cli.run("consume", "cli-args", "--count", "3");

        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(published.out()).isEqualTo("published 3 messages (3 routed)\n");
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.out()).isEqualTo("one\ntwo\nthree\n");
        assertThat(cli.run("consume", "cli-args").out()).isEmpty();
    }

    @Test
    void shouldPublishOneMessagePerLineOfStdin() throws Exception {
        declare("cli-lines");
        String lines = IntStream.range(0, 1000).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n"));

        Run published = cli.withStdin(lines, "publish", "-k", "cli-lines", "--persistent", "--header", "source=cli");
        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(published.out()).isEqualTo("published 1000 messages (1000 routed)\n");
        assertThat(queue("cli-lines").path("messages").asLong()).isEqualTo(1000);

        Path file = dir.resolve("out.txt");
        Run consumed = cli.run("consume", "cli-lines", "--output", file.toString());
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.out()).isEqualTo("wrote 1000 messages to " + file + "\n");
        assertThat(Files.readString(file)).isEqualTo(lines);
        assertThat(queue("cli-lines").path("messages").asLong()).isZero();
    }

    @Test
    void shouldPrintWholeMessagesAsJsonLinesAndLeaveThemWhenPeeking() throws Exception {
        declare("cli-peek");
        cli.run("publish", "-k", "cli-peek", "--persistent", "--header", "source=cli", "a", "b");

        Run peeked = cli.run("consume", "cli-peek", "--peek", "--json");

        assertThat(peeked.exitCode()).as(peeked.err()).isZero();
        List<JsonNode> messages = new ArrayList<>();
        for (String line : peeked.out().lines().toList()) {
            messages.add(JSON.readTree(line));
        }
        assertThat(messages).extracting(m -> m.path("payload").asText()).containsExactly("a", "b");
        assertThat(messages.get(0).path("properties").path("delivery_mode").asInt()).isEqualTo(2);
        assertThat(messages.get(0).path("properties").path("headers").path("source").asText()).isEqualTo("cli");
        assertThat(queue("cli-peek").path("messages").asLong()).isEqualTo(2);
    }

    @Test
    void shouldPublishAFileAsOneMessage() throws Exception {
        declare("cli-file");
        Path text = Files.writeString(dir.resolve("body.txt"), "first line\nsecond line\n");
        Path binary = Files.write(dir.resolve("body.bin"), new byte[] {(byte) 0xff, 0, 1});

        Run published = cli.run("publish", "-k", "cli-file", "--file", text.toString(), "--file", binary.toString(), "--json");

        assertThat(json(published)).isEqualTo(JSON.readTree("{\"published\":2,\"routed\":2}"));
        Run consumed = cli.run("consume", "cli-file", "--json");
        List<JsonNode> messages = consumed.out().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(messages.get(0).path("payload").asText()).isEqualTo("first line\nsecond line\n");
        assertThat(messages.get(1).path("payload_encoding").asText()).isEqualTo("base64");
        assertThat(messages.get(1).path("payload").asText()).isEqualTo("/wAB");
    }

    @Test
    void shouldFollowUntilCountMessagesCame() throws Exception {
        declare("cli-follow");
        CompletableFuture<Run> following = CompletableFuture.supplyAsync(() -> cli.run("consume", "cli-follow", "--follow", "--count", "2"));

        cli.run("publish", "-k", "cli-follow", "first");
        // Taken, and the command still runs: it polls an empty queue now.
        await().atMost(10, TimeUnit.SECONDS).until(() -> queue("cli-follow").path("message_stats").path("deliver_get").asLong() == 1);
        assertThat(following).isNotDone();
        cli.run("publish", "-k", "cli-follow", "second");

        Run run = following.get(30, TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("first\nsecond\n");
    }

    @Test
    void shouldPurgeAndDeleteAQueue() throws Exception {
        declare("cli-purge");
        cli.run("publish", "-k", "cli-purge", "x", "y");

        Run purged = cli.run("queue", "purge", "cli-purge");
        assertThat(purged.exitCode()).as(purged.err()).isZero();
        assertThat(purged.out()).isEqualTo("purged queue cli-purge\n");
        assertThat(queue("cli-purge").path("messages").asLong()).isZero();

        Run deleted = cli.run("queue", "delete", "cli-purge", "--if-empty", "--if-unused");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).isEqualTo("deleted queue cli-purge\n");
        assertThat(cli.run("queues", "list").out()).doesNotContain("cli-purge");
    }

    @Test
    void shouldExitWithThreeWhenTheQueueDoesNotExist() {
        Run deleted = cli.run("queue", "delete", "cli-nosuch");
        Run consumed = cli.run("consume", "cli-nosuch");

        assertThat(deleted.exitCode()).isEqualTo(3);
        assertThat(deleted.err()).isEqualTo("wharf: no queue 'cli-nosuch' in vhost '/'\n");
        assertThat(deleted.out()).isEmpty();
        assertThat(consumed.exitCode()).isEqualTo(3);
        assertThat(cli.run("queues", "list", "--vhost", "no-such-vhost").exitCode()).isEqualTo(3);
    }

    @Test
    void shouldExitWithFourOnAWrongPassword() {
        Run status = cli.run("status", "--password", "wrong");

        assertThat(status.exitCode()).isEqualTo(4);
        assertThat(status.err()).startsWith("wharf: ");
        assertThat(status.out()).isEmpty();
        assertThat(cli.as("guest", "wrong").run("queues", "list").exitCode()).isEqualTo(4);
    }

    @Test
    void shouldExitWithFiveWhenRedeclaringWithOtherArguments() {
        assertThat(cli.run("queue", "declare", "cli-conflict", "--arg", "x-max-length=10").exitCode()).isZero();

        Run again = cli.run("queue", "declare", "cli-conflict", "--arg", "x-max-length=20");

        assertThat(again.exitCode()).isEqualTo(5);
        assertThat(again.err()).startsWith("wharf: ").contains("x-max-length");
    }

    @Test
    void shouldExitWithFiveWhenDeletingAQueueThatIsNotEmpty() {
        declare("cli-not-empty");
        cli.run("publish", "-k", "cli-not-empty", "x");

        Run deleted = cli.run("queue", "delete", "cli-not-empty", "--if-empty");

        assertThat(deleted.exitCode()).isEqualTo(5);
        assertThat(deleted.err()).startsWith("wharf: ");
    }

    @Test
    void shouldExitWithSixOnAnArgumentTheBrokerRejects() {
        Run declared = cli.run("queue", "declare", "cli-invalid", "--arg", "x-max-length=many");

        assertThat(declared.exitCode()).isEqualTo(6);
        assertThat(declared.err()).startsWith("wharf: ").contains("x-max-length");
        assertThat(cli.run("queues", "list").out()).doesNotContain("cli-invalid");
    }

    @Test
    void shouldExitWithOneWhenTheBrokerCannotBeReached() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closed;

        Run status = cli.run("status", "--url", url);

        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err()).startsWith("wharf: cannot reach Wharf at " + url + ": ");
    }

    @Test
    void shouldAddListGrantAndDeleteUsers() throws Exception {
        Run added = cli.run("users", "add", "cli-bob", "--password", "s3cret", "--tags", "management,monitoring");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("added user cli-bob\n");
        assertThat(cli.run("users", "list").out().lines()).anyMatch(l -> l.matches("cli-bob +management,monitoring +no"));
        JsonNode bob = null;
        for (JsonNode u : json(cli.run("users", "list", "--json"))) {
            if (u.path("name").asText().equals("cli-bob")) {
                bob = u;
            }
        }
        assertThat(bob).isNotNull();
        assertThat(bob.path("tags")).extracting(JsonNode::asText).containsExactly("management", "monitoring");

        CliRunner asBob = cli.as("cli-bob", "s3cret");
        assertThat(asBob.run("queue", "declare", "cli-bob-q").exitCode()).isEqualTo(4);
        Run granted = cli.run("users", "set-permissions", "cli-bob", "--configure", "^cli-bob-.*", "--write", ".*", "--read", ".*");
        assertThat(granted.exitCode()).as(granted.err()).isZero();
        assertThat(granted.out()).isEqualTo("set the permissions of cli-bob in vhost /\n");
        assertThat(asBob.run("queue", "declare", "cli-bob-q").exitCode()).isZero();
        Run refused = asBob.run("queue", "declare", "cli-alice-q");
        assertThat(refused.exitCode()).isEqualTo(4);
        assertThat(refused.err()).startsWith("wharf: ");
        assertThat(asBob.run("users", "list").exitCode()).isEqualTo(4);

        Run deleted = cli.run("users", "delete", "cli-bob");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).isEqualTo("deleted user cli-bob\n");
        assertThat(asBob.run("status").exitCode()).isEqualTo(4);
        assertThat(cli.run("users", "delete", "cli-bob").exitCode()).isEqualTo(3);
    }

    @Test
    void shouldAddListAndDeleteVirtualHosts() {
        Run added = cli.run("vhosts", "add", "cli-tenant");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("added vhost cli-tenant\n");
        assertThat(cli.run("vhosts", "add", "cli-tenant").out()).isEqualTo("vhost already exists: cli-tenant\n");
        assertThat(cli.run("vhosts", "list").out().lines()).anyMatch(l -> l.matches("cli-tenant +0 +0 +0"));

        Run deleted = cli.run("vhosts", "delete", "cli-tenant");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).isEqualTo("deleted vhost cli-tenant\n");
        assertThat(cli.run("vhosts", "delete", "cli-tenant").exitCode()).isEqualTo(3);
        Run configured = cli.run("vhosts", "delete", "/");
        assertThat(configured.exitCode()).isNotZero();
        assertThat(configured.err()).contains("configuration");
    }

    @Test
    void shouldListExchangesWithTheDefaultOneNamed() {
        Run exchanges = cli.run("exchanges", "list");

        assertThat(exchanges.exitCode()).as(exchanges.err()).isZero();
        assertThat(exchanges.out().lines()).anyMatch(l -> l.matches("\\(AMQP default\\) +direct +yes +no +no"))
                .anyMatch(l -> l.matches("amq\\.topic +topic +yes +no +no"));
    }

    @Test
    void shouldListAndCloseConnections() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(wharf.amqpPort());
        factory.setHost("127.0.0.1");
        Connection amqp = factory.newConnection("cli-test-client");
        try {
            Run listed = cli.run("connections", "list");
            assertThat(listed.exitCode()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("AMQP").contains("guest");
            String name = null;
            for (JsonNode c : json(cli.run("connections", "list", "--json"))) {
                if (c.path("client_properties").path("connection_name").asText().equals("cli-test-client")) {
                    name = c.path("name").asText();
                }
            }
            assertThat(name).isNotNull();

            Run closed = cli.run("connections", "close", name, "--reason", "closed by the CLI test");

            assertThat(closed.exitCode()).as(closed.err()).isZero();
            assertThat(closed.out()).isEqualTo("closed connection " + name + "\n");
            await().atMost(10, TimeUnit.SECONDS).until(() -> !amqp.isOpen());
            assertThat(amqp.getCloseReason().getMessage()).contains("closed by the CLI test");
        } finally {
            // Closed by the broker when the test passes; abort() does not throw when it is.
            amqp.abort();
        }
    }

    @Test
    void shouldListStreamsAndConsumerGroupsWithTheirLag() throws Exception {
        KafkaFixtures.groupWithLag(wharf.kafkaPort(), "cli-events", "cli-billing", 5, 2);

        Run streams = cli.run("streams", "list");
        assertThat(streams.exitCode()).as(streams.err()).isZero();
        assertThat(streams.out().lines()).anyMatch(l -> l.matches("cli-events +1 +5 .*"));

        Run groups = cli.run("groups", "list");
        assertThat(groups.exitCode()).as(groups.err()).isZero();
        assertThat(groups.out().lines()).anyMatch(l -> l.matches("cli-billing +Empty +0 +3"));

        Run group = cli.run("groups", "show", "cli-billing");
        assertThat(group.exitCode()).as(group.err()).isZero();
        assertThat(group.out().lines()).anyMatch(l -> l.matches("lag +3"))
                .anyMatch(l -> l.matches("cli-events +0 +2 +5 +3"));
        assertThat(cli.run("groups", "show", "cli-nosuch-group").exitCode()).isEqualTo(3);
    }

    @Test
    void shouldUseTheDefaultUserAndUrlOptionsOverTheEnvironment() {
        Run status = CliRunner.forPort(1).as("nobody", "nothing")
                .run("status", "--url", "http://127.0.0.1:" + wharf.httpPort(), "--user", "guest", "--password", "guest");

        assertThat(status.exitCode()).as(status.err()).isZero();
    }
}
