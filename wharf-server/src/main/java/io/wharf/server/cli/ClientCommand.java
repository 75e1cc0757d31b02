package io.wharf.server.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A command that talks to a running broker through its HTTP API. Subclasses do their requests in
 * {@link #run}; this class resolves the connection options against the environment, opens the
 * client, and turns every {@link CommandException} into {@code wharf: <reason>} on stderr and its
 * exit code.
 */
abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    ClientOptions options;

    @Spec
    CommandSpec spec;

    /** Set by {@link ClientCommands}' factory when picocli creates the command. */
    CliContext context;

    /** The password given on the command line, or {@code null} to take it from the environment or the default. */
    abstract String passwordOption();

    /** Does the command's requests and prints its output. */
    abstract void run(ApiClient api) throws CommandException, InterruptedException;

    @Override
    public final Integer call() {
        URI url = url();
        Map<String, String> env = context.environment();
        String user = options.user != null ? options.user : env.getOrDefault(ClientOptions.USER_VARIABLE, ClientOptions.DEFAULT_USER);
        String password = passwordOption() != null ? passwordOption()
                : env.getOrDefault(ClientOptions.PASSWORD_VARIABLE, ClientOptions.DEFAULT_PASSWORD);
        try (ApiClient api = new ApiClient(url, user, password)) {
            run(api);
            return ExitCodes.OK;
        } catch (CommandException e) {
            return fail(e.exitCode(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(ExitCodes.ERROR, "interrupted");
        } finally {
            out().flush();
        }
    }

    private int fail(int exitCode, String reason) {
        out().flush();
        err().println("wharf: " + reason);
        err().flush();
        return exitCode;
    }

    /** The broker's API address: {@code --url}, else {@code WHARF_URL}, else the default. */
    final URI url() {
        String given = options.url != null ? options.url
                : context.environment().getOrDefault(ClientOptions.URL_VARIABLE, ClientOptions.DEFAULT_URL);
        try {
            URI url = new URI(given);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw usage("the broker's URL must be http://HOST:PORT or https://HOST:PORT, not '" + given + "'");
            }
            return url;
        } catch (URISyntaxException e) {
            throw usage("the broker's URL '" + given + "' is not a URL: " + e.getReason());
        }
    }

    /** A usage error: picocli prints it with the command's usage and exits with 2. */
    final ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    final boolean json() {
        return options.json;
    }

    final String vhost() {
        return options.vhost;
    }

    /** Prints an API answer as it came, for {@code --json}; an empty answer prints nothing. */
    final void printJson(ApiClient.ApiResponse response) {
        if (response.body() != null && !response.body().isBlank()) {
            out().println(response.body().strip());
        }
    }

    /**
     * Ends a command that changed something: the API's answer as it came with {@code --json} (often
     * nothing: 201 and 204 have no body), otherwise one line saying what was done.
     */
    final void done(ApiClient.ApiResponse response, String confirmation) {
        if (json()) {
            printJson(response);
        } else {
            out().println(confirmation);
        }
    }

    /** {@code queue orders}, or {@code queue orders in vhost test} outside the default vhost. */
    final String named(String kind, String name) {
        return kind + " " + name + ("/".equals(vhost()) ? "" : " in vhost " + vhost());
    }
}
