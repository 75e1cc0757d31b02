package io.wharf.server.cli;

import java.io.InputStream;
import java.util.Map;
import java.util.Objects;

/**
 * What the client commands take from the process rather than from the command line, so that tests
 * can run them in-process with their own environment and standard input.
 *
 * @param environment      environment variables ({@code WHARF_URL}, {@code WHARF_USER}, {@code WHARF_PASSWORD})
 * @param stdin            standard input, read by {@code wharf publish} when no body is given
 * @param stderrIsTerminal whether standard error is a terminal, where progress lines are shown by default
 */
public record CliContext(Map<String, String> environment, InputStream stdin, boolean stderrIsTerminal) {

    /**
     * Set by the launcher script, which can test its file descriptors; the JVM cannot tell whether
     * standard error alone is a terminal.
     */
    static final String STDERR_TERMINAL_PROPERTY = "wharf.stderr-terminal";

    public CliContext {
        environment = Map.copyOf(environment);
        Objects.requireNonNull(stdin, "stdin");
    }

    /** The running process's environment and standard input. */
    public static CliContext system() {
        return new CliContext(System.getenv(), System.in, Boolean.getBoolean(STDERR_TERMINAL_PROPERTY));
    }
}
