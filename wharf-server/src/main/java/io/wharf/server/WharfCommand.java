package io.wharf.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.wharf.server.config.ConfigException;
import io.wharf.server.config.WharfConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** The {@code wharf} command: starts the broker in the foreground and stops it cleanly on Ctrl-C or SIGTERM. */
@Command(name = "wharf", mixinStandardHelpOptions = true, versionProvider = WharfCommand.Version.class, usageHelpWidth = 100,
        sortOptions = false,
        description = {
            "Runs the Wharf message broker in the foreground until Ctrl-C or SIGTERM.",
            "",
            "Configuration comes from the built-in defaults, then the --config file, then WHARF_* environment "
                + "variables, then these options, each overriding the one before. Every key is described in "
                + "docs/configuration.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the broker stopped cleanly",
            "1:the broker could not start (storage or a port unavailable)",
            "2:the command line or the configuration is invalid"})
public final class WharfCommand implements Callable<Integer> {

    static final int EXIT_START_FAILED = 1;
    static final int EXIT_INVALID = 2;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory for all durable data (key data-dir; default: data in the current directory).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path configFile;

    private final Map<String, String> environment;
    private final AtomicReference<WharfServer> running = new AtomicReference<>();
    private final boolean installShutdownHook;

    WharfCommand(Map<String, String> environment, boolean installShutdownHook) {
        this.environment = environment;
        this.installShutdownHook = installShutdownHook;
    }

    /** The command line wired to this command, with Wharf's exit codes. */
    static CommandLine commandLine(WharfCommand command) {
        CommandLine cl = new CommandLine(command);
        cl.setExitCodeExceptionMapper(e -> EXIT_INVALID);
        return cl;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = new PrintWriter(System.err, true);
        WharfServer.Builder builder = WharfServer.builder().environment(environment).configFile(configFile);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        WharfConfig config;
        try {
            config = builder.config();
        } catch (ConfigException e) {
            err.println("wharf: invalid configuration, nothing was started:");
            e.problems().forEach(p -> err.println("  - " + p));
            return EXIT_INVALID;
        }
        setRootLevel(config.logging().level());
        WharfServer server;
        try {
            server = builder.start();
        } catch (IOException | RuntimeException | ConfigException e) {
            LoggerFactory.getLogger(WharfCommand.class).error("Wharf could not start: {}", e.getMessage(), e);
            return EXIT_START_FAILED;
        }
        running.set(server);
        if (installShutdownHook) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "wharf-shutdown"));
        }
        server.awaitClosed();
        return 0;
    }

    /** Stops a running broker; what a signal does. */
    void stop() {
        WharfServer server = running.get();
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LoggerFactory.getLogger(WharfCommand.class).error("Wharf did not stop cleanly: {}", e.getMessage(), e);
            }
        }
    }

    WharfServer server() {
        return running.get();
    }

    private static void setRootLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    /** The version recorded in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = WharfCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Wharf " + (v == null ? "(development build)" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
