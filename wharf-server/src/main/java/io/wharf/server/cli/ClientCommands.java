package io.wharf.server.cli;

import picocli.CommandLine;

import java.util.List;
import java.util.Set;

/**
 * The client subcommands of {@code wharf}, which talk to a running broker through its HTTP
 * management API: {@code status}, {@code queues}, {@code exchanges}, {@code streams},
 * {@code groups}, {@code connections}, {@code publish}, {@code consume}, {@code users}, {@code vhosts}, {@code cluster},
 * {@code storage} and {@code backup}; and {@code restore}, which works on files alone.
 */
public final class ClientCommands {

    /** The environment variables the client commands read; they configure no broker key. */
    public static final Set<String> ENVIRONMENT_VARIABLES = Set.of(ClientOptions.URL_VARIABLE, ClientOptions.USER_VARIABLE,
            ClientOptions.PASSWORD_VARIABLE);

    private static final List<Class<?>> COMMANDS = List.of(StatusCommand.class, QueuesCommand.class, ExchangesCommand.class,
            StreamsCommand.class, GroupsCommand.class, ConnectionsCommand.class, PublishCommand.class, ConsumeCommand.class,
            UsersCommand.class, VhostsCommand.class, ClusterCommand.class, StorageCommand.class, BackupCommand.class,
            RestoreCommand.class);

    private ClientCommands() {
    }

    /** Adds the client commands to {@code wharf}; they read the environment and stdin from {@code context}. */
    public static void addTo(CommandLine wharf, CliContext context) {
        CommandLine.IFactory factory = new Factory(context);
        for (Class<?> command : COMMANDS) {
            CommandLine sub = new CommandLine(command, factory);
            withExitCodes(sub);
            wharf.addSubcommand(sub);
        }
    }

    private static void withExitCodes(CommandLine command) {
        command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.help());
        command.getSubcommands().values().forEach(ClientCommands::withExitCodes);
    }

    /** Hands each client command the process context as picocli creates it. */
    private record Factory(CliContext context) implements CommandLine.IFactory {

        @Override
        public <K> K create(Class<K> type) throws Exception {
            K object = CommandLine.defaultFactory().create(type);
            if (object instanceof ClientCommand command) {
                command.context = context;
            } else if (object instanceof LocalCommand command) {
                command.context = context;
            }
            return object;
        }
    }
}
