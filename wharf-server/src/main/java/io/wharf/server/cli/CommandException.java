package io.wharf.server.cli;

/**
 * What ends a client command early: a request the broker refused or could not answer, or a local
 * file that could not be read or written. Carries the exit code that reports it and the reason
 * printed after {@code wharf: }.
 */
final class CommandException extends Exception {

    private final int exitCode;

    CommandException(int exitCode, String reason) {
        super(reason, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
