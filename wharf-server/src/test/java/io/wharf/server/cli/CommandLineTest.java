package io.wharf.server.cli;

import io.wharf.server.WharfCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How the client commands read their command lines, without a broker. */
class CommandLineTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static CommandLine wharf(Map<String, String> env) {
        return WharfCommand.commandLine(new CliContext(env, InputStream.nullInputStream(), false));
    }

    /** The command object picocli filled for the last subcommand of {@code args}. */
    @SuppressWarnings("unchecked")
    private static <T> T parsed(Map<String, String> env, String... args) {
        ParseResult result = wharf(env).parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return (T) result.commandSpec().userObject();
    }

    private static Run run(String... args) {
        CommandLine wharf = wharf(Map.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        wharf.setOut(new PrintWriter(out, true));
        wharf.setErr(new PrintWriter(err, true));
        int code = wharf.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldDeclareDurableQueuesWithTypedArgumentsByDefault() {
        QueuesCommand.Declare declare = parsed(Map.of(), "queue", "declare", "orders", "--arg", "x-max-length=10",
                "--arg", "x-dead-letter-exchange=dlx", "--arg", "x-ratio=0.5");

        assertThat(declare.name).isEqualTo("orders");
        assertThat(declare.durable).isTrue();
        assertThat(declare.autoDelete).isFalse();
        assertThat(TypedValues.of(declare.arguments)).containsExactly(Map.entry("x-max-length", 10L),
                Map.entry("x-dead-letter-exchange", "dlx"), Map.entry("x-ratio", new BigDecimal("0.5")));
    }

    @Test
    void shouldReadNoDurableAndAutoDeleteOnTheQueuesAlias() {
        QueuesCommand.Declare declare = parsed(Map.of(), "queues", "declare", "tmp", "--no-durable", "--auto-delete");

        assertThat(declare.durable).isFalse();
        assertThat(declare.autoDelete).isTrue();
    }

    @Test
    void shouldResolveTheBrokerAndCredentialsFromOptionsThenEnvironmentThenDefaults() {
        StatusCommand defaults = parsed(Map.of(), "status");
        StatusCommand fromEnv = parsed(Map.of("WHARF_URL", "http://10.0.0.1:8080/"), "status");
        StatusCommand fromOption = parsed(Map.of("WHARF_URL", "http://10.0.0.1:8080"), "status", "--url", "https://127.0.0.1:1443",
                "--user", "admin", "--password", "pw", "--vhost", "test", "--json");

        assertThat(defaults.url()).isEqualTo(URI.create("http://127.0.0.1:15672"));
        assertThat(defaults.vhost()).isEqualTo("/");
        assertThat(defaults.json()).isFalse();
        assertThat(defaults.passwordOption()).isNull();
        assertThat(fromEnv.url()).isEqualTo(URI.create("http://10.0.0.1:8080/"));
        assertThat(fromOption.url()).isEqualTo(URI.create("https://127.0.0.1:1443"));
        assertThat(fromOption.options.user).isEqualTo("admin");
        assertThat(fromOption.passwordOption()).isEqualTo("pw");
        assertThat(fromOption.vhost()).isEqualTo("test");
        assertThat(fromOption.json()).isTrue();
    }

    @Test
    void shouldTakeTheNewUsersPasswordInUsersAdd() {
        UsersCommand.Add add = parsed(Map.of(), "users", "add", "bob", "--password", "s3cret", "--tags", "management,monitoring");

        assertThat(add.newPassword).isEqualTo("s3cret");
        assertThat(add.tags).containsExactly("management", "monitoring");
        assertThat(add.passwordOption()).as("the caller's password comes from the environment").isNull();
    }

    @Test
    void shouldReadPublishOptions() {
        PublishCommand publish = parsed(Map.of(), "publish", "-e", "amq.topic", "-k", "a.b", "--header", "source=cli",
                "--header", "n=1", "--persistent", "one", "two");

        assertThat(publish.exchange).isEqualTo("amq.topic");
        assertThat(publish.routingKey).isEqualTo("a.b");
        assertThat(publish.headers).containsExactly(Map.entry("source", "cli"), Map.entry("n", "1"));
        assertThat(publish.persistent).isTrue();
        assertThat(publish.bodies).containsExactly("one", "two");
        PublishCommand defaults = parsed(Map.of(), "publish", "--file", "body.bin");
        assertThat(defaults.exchange).isEqualTo("amq.default");
        assertThat(defaults.routingKey).isEmpty();
        assertThat(defaults.files).containsExactly(Path.of("body.bin"));
        assertThat(defaults.bodies).isEmpty();
    }

    @Test
    void shouldReadConsumeOptions() {
        ConsumeCommand consume = parsed(Map.of(), "consume", "orders", "-n", "3", "--follow", "--output", "out.txt");

        assertThat(consume.queue).isEqualTo("orders");
        assertThat(consume.count).isEqualTo(3);
        assertThat(consume.follow).isTrue();
        assertThat(consume.peek).isFalse();
        assertThat(consume.output).isEqualTo(Path.of("out.txt"));
    }

    @Test
    void shouldExitWithTwoOnUsageErrors() {
        assertThat(run("queues").exitCode()).isEqualTo(2);
        assertThat(run("queues").err()).contains("Missing subcommand").contains("list, declare, delete, purge");
        assertThat(run("queue", "declare").exitCode()).isEqualTo(2);
        assertThat(run("users", "set-permissions", "bob", "--configure", ".*").err()).contains("--read").contains("--write");
        assertThat(run("status", "--url", "localhost:15672").exitCode()).isEqualTo(2);
        assertThat(run("status", "--url", "ftp://localhost").err()).contains("must be http://HOST:PORT");
        assertThat(run("consume", "q", "--peek", "--follow").err()).contains("--peek").contains("--follow");
        assertThat(run("consume", "q", "--count", "0").exitCode()).isEqualTo(2);
        assertThat(run("publish", "body", "--file", "x").exitCode()).isEqualTo(2);
        assertThat(run("publish", "--unknown").exitCode()).isEqualTo(2);
    }

    @Test
    void shouldListTheExitCodesInTheHelpOfEveryClientCommand() {
        for (String[] command : new String[][] {{"status"}, {"queues", "declare"}, {"publish"}, {"consume"}, {"users", "add"},
            {"groups", "show"}, {"connections", "close"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Run help = run(args);
            assertThat(help.exitCode()).isZero();
            assertThat(help.out()).contains("Exit codes:").contains("3   not found (HTTP 404)")
                    .contains("4   not authorised or access refused (HTTP 401, 403)").contains("5   conflict")
                    .contains("6   invalid input rejected by the broker (HTTP 400)").contains("--url=URL").contains("--json");
        }
    }
}
