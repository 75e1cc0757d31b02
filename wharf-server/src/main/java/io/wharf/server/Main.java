package io.wharf.server;

import io.wharf.server.cli.CliContext;

/** Entry point of the {@code wharf} launcher. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Before the first logger exists: the command's own one-line-per-event format.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/wharf/server/logback.xml");
        }
        int code = WharfCommand.commandLine(new WharfCommand(CliContext.system(), true)).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
