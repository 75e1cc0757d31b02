package io.wharf.it.support;

import io.wharf.server.WharfCommand;
import io.wharf.server.cli.CliContext;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code wharf} commands in-process against one broker, with stdout and stderr captured. */
public final class CliRunner {

    /** What one command printed, and its exit code. */
    public record Run(int exitCode, String out, String err) {
    }

    private final Map<String, String> environment;

    private CliRunner(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Commands addressed to the broker's HTTP port through WHARF_URL, as the default user. */
    public static CliRunner forPort(int httpPort) {
        return new CliRunner(Map.of("WHARF_URL", "http://127.0.0.1:" + httpPort));
    }

    /** The same broker, as another user (WHARF_USER, WHARF_PASSWORD). */
    public CliRunner as(String user, String password) {
        Map<String, String> env = new HashMap<>(environment);
        env.put("WHARF_USER", user);
        env.put("WHARF_PASSWORD", password);
        return new CliRunner(env);
    }

    public Run run(String... args) {
        return withStdin(InputStream.nullInputStream(), args);
    }

    public Run withStdin(String stdin, String... args) {
        return withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    public Run withStdin(InputStream stdin, String... args) {
        CommandLine wharf = WharfCommand.commandLine(new CliContext(environment, stdin, false));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        wharf.setOut(new PrintWriter(out, true));
        wharf.setErr(new PrintWriter(err, true));
        int code = wharf.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
