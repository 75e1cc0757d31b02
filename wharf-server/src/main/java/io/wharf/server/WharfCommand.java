package io.wharf.server;

import io.wharf.core.WharfVersion;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.wharf.server.cli.CliContext;
import io.wharf.server.cli.ClientCommands;
import io.wharf.server.config.ConfigException;
import io.wharf.server.config.WharfConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code wharf} command. Alone, or as {@code wharf server}, it runs the broker in the foreground
 * and stops it cleanly on Ctrl-C or SIGTERM; its other subcommands ({@link ClientCommands}) manage
 * a running broker through the HTTP API.
 */
@Command(name = "wharf", mixinStandardHelpOptions = true, versionProvider = WharfCommand.Version.class, usageHelpWidth = 100,
        sortOptions = false, scope = CommandLine.ScopeType.INHERIT,
        description = {
            "Runs the Wharf message broker in the foreground until Ctrl-C or SIGTERM (the same as 'wharf server'), "
                + "or with one of the commands below manages a running broker through its HTTP API "
                + "('wharf help COMMAND' or 'wharf COMMAND --help' says more; docs/cli.md has them all).",
            "",
            WharfCommand.CONFIGURATION_HELP},
        subcommands = WharfCommand.Server.class,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success; the broker stopped cleanly",
            "1:the broker could not start (storage or a port unavailable); or a command got another error from the "
                + "broker, or could not reach it",
            "2:the command line or the configuration is invalid",
            "3:not found (HTTP 404)",
            "4:not authorised or access refused (HTTP 401, 403)",
            "5:conflict: exists with other properties, not empty, in use (HTTP 409)",
            "6:invalid input rejected by the broker (HTTP 400)"})
public final class WharfCommand implements Callable<Integer> {

    static final int EXIT_START_FAILED = 1;
    static final int EXIT_INVALID = 2;
    static final String CONFIGURATION_HELP = "Configuration comes from the built-in defaults, then the --config file, then WHARF_* "
            + "environment variables, then these options, each overriding the one before. Every key is described in "
            + "docs/configuration.md.";

    @Mixin
    ServerOptions options;

    private final CliContext context;
    private final AtomicReference<WharfServer> running = new AtomicReference<>();
    private final boolean installShutdownHook;

    WharfCommand(CliContext context, boolean installShutdownHook) {
        this.context = context;
        this.installShutdownHook = installShutdownHook;
    }

    WharfCommand(Map<String, String> environment, boolean installShutdownHook) {
        this(new CliContext(environment, InputStream.nullInputStream(), false), installShutdownHook);
    }

    /**
     * The whole {@code wharf} command line, for running its commands in-process: the client
     * commands read {@code context}'s environment and stdin, and print to the command line's
     * {@link CommandLine#setOut out} and {@link CommandLine#setErr err}. Signals do not stop a
     * broker started this way.
     */
    public static CommandLine commandLine(CliContext context) {
        return commandLine(new WharfCommand(context, false));
    }

    /** The command line wired to this command, with Wharf's exit codes. */
    static CommandLine commandLine(WharfCommand command) {
        CommandLine cl = new CommandLine(command);
        ClientCommands.addTo(cl, command.context);
        cl.addSubcommand(new CommandLine.HelpCommand());
        cl.setExitCodeExceptionMapper(e -> EXIT_INVALID);
        return cl;
    }

    @Override
    public Integer call() throws InterruptedException {
        return runBroker(options.dataDir, options.configFile);
    }

    private int runBroker(Path dataDir, Path configFile) throws InterruptedException {
        PrintWriter err = new PrintWriter(System.err, true);
        WharfServer.Builder builder = WharfServer.builder().environment(brokerEnvironment()).configFile(configFile);
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

    /**
     * The environment without the client commands' variables, which configure no broker key: a
     * shell that exported WHARF_URL for {@code wharf status} can still start a broker.
     */
    private Map<String, String> brokerEnvironment() {
        Map<String, String> env = new HashMap<>(context.environment());
        env.keySet().removeAll(ClientCommands.ENVIRONMENT_VARIABLES);
        return env;
    }

    private static void setRootLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    /** The broker's own options, taken by {@code wharf} alone and by {@code wharf server}. */
    static final class ServerOptions {

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory for all durable data (key data-dir; default: data in the current directory).")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
        Path configFile;
    }

    /** {@code wharf server}: what {@code wharf} alone does, named for scripts and for symmetry with the other commands. */
    @Command(name = "server",
            description = {"Runs the Wharf message broker in the foreground until Ctrl-C or SIGTERM.", "", CONFIGURATION_HELP},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:the broker stopped cleanly",
                "1:the broker could not start (storage or a port unavailable)",
                "2:the command line or the configuration is invalid"})
    static final class Server implements Callable<Integer> {

        @Mixin
        ServerOptions options;

        @ParentCommand
        WharfCommand wharf;

        @Override
        public Integer call() throws InterruptedException {
            // Options before the word server (wharf --data-dir x server) count too.
            return wharf.runBroker(options.dataDir != null ? options.dataDir : wharf.options.dataDir,
                    options.configFile != null ? options.configFile : wharf.options.configFile);
        }
    }

    /** The broker's version and the Java it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Wharf " + WharfVersion.current(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
