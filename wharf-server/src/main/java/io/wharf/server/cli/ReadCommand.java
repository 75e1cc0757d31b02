package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** A command that reads one API resource and prints it: as it came with {@code --json}, for people otherwise. */
abstract class ReadCommand extends AuthenticatedCommand {

    /** The API path to read, with its segments encoded by {@link ApiClient#path}. */
    abstract String path();

    /** Prints the answer for people, usually as a {@link Table}. */
    abstract void print(JsonNode answer);

    @Override
    final void run(ApiClient api) throws CommandException, InterruptedException {
        ApiClient.ApiResponse response = api.get(path());
        if (json()) {
            printJson(response);
        } else {
            print(response.json());
        }
    }
}
