package io.wharf.server.cli;

import picocli.CommandLine.Option;

/**
 * The options every client command takes: where the broker's API is, who is asking (with the
 * password option, which {@link AuthenticatedCommand} adds), which virtual host, and how to print.
 */
final class ClientOptions {

    static final String DEFAULT_URL = "http://127.0.0.1:15672";
    static final String DEFAULT_USER = "guest";
    static final String DEFAULT_PASSWORD = "guest";
    static final String URL_VARIABLE = "WHARF_URL";
    static final String USER_VARIABLE = "WHARF_USER";
    static final String PASSWORD_VARIABLE = "WHARF_PASSWORD";

    @Option(names = "--url", paramLabel = "URL", order = 100,
            description = "The broker's HTTP API (default: " + DEFAULT_URL + ", or the environment variable " + URL_VARIABLE + ").")
    String url;

    @Option(names = "--user", paramLabel = "USER", order = 101,
            description = "User name (default: " + DEFAULT_USER + ", or " + USER_VARIABLE + ").")
    String user;

    @Option(names = "--vhost", paramLabel = "VHOST", order = 103, defaultValue = "/",
            description = "Virtual host (default: ${DEFAULT-VALUE}).")
    String vhost;

    @Option(names = "--json", order = 104,
            description = "Print the API's JSON as it comes, for scripts, instead of tables and messages for people.")
    boolean json;
}
