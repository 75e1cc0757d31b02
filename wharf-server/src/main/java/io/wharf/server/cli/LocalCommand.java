package io.wharf.server.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that works on local files and needs no running broker, such as {@code wharf
 * restore}: it prints {@code wharf: <reason>} and exits with the code of a {@link CommandException}.
 */
abstract class LocalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Set by {@link ClientCommands}' factory when picocli creates the command. */
    CliContext context;

    abstract void run() throws CommandException;

    @Override
    public final Integer call() {
        try {
            run();
            return ExitCodes.OK;
        } catch (CommandException e) {
            out().flush();
            err().println("wharf: " + e.getMessage());
            err().flush();
            return e.exitCode();
        } finally {
            out().flush();
        }
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
