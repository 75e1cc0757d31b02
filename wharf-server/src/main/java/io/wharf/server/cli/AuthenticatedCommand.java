package io.wharf.server.cli;

import picocli.CommandLine.Option;

/**
 * A client command whose {@code --password} is the caller's own. Only {@code users add}, where
 * {@code --password} is the new user's, takes the caller's password from the environment instead.
 */
abstract class AuthenticatedCommand extends ClientCommand {

    @Option(names = "--password", paramLabel = "PASSWORD", order = 102,
            description = "Password (default: " + ClientOptions.DEFAULT_PASSWORD + ", or " + ClientOptions.PASSWORD_VARIABLE + ").")
    String password;

    @Override
    final String passwordOption() {
        return password;
    }
}
