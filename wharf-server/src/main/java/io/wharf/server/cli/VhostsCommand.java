package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code wharf vhosts}: the broker's virtual hosts. Adding and deleting needs the {@code administrator} tag. */
@Command(name = "vhosts", aliases = "vhost", description = "Lists, adds and deletes virtual hosts.",
        subcommands = {VhostsCommand.Listing.class, VhostsCommand.Add.class, VhostsCommand.Delete.class})
final class VhostsCommand extends CommandGroup {

    @Command(name = "list", description = "Lists virtual hosts with their message counts (GET /api/vhosts).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("vhosts");
        }

        @Override
        void print(JsonNode vhosts) {
            Table table = new Table().left("NAME").right("MESSAGES").right("READY").right("UNACKED");
            for (JsonNode v : vhosts) {
                table.row(v.path("name").asText(), v.path("messages").asText("0"), v.path("messages_ready").asText("0"),
                        v.path("messages_unacknowledged").asText("0"));
            }
            table.print(out());
        }
    }

    @Command(name = "add", description = {"Adds a virtual host, which outlives restarts (PUT /api/vhosts/{name}).",
        "No user may use it until given permissions there: wharf users set-permissions --vhost NAME ..."})
    static final class Add extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The virtual host's name.")
        String name;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            ApiClient.ApiResponse response = api.put(ApiClient.path("vhosts", name), Map.of());
            done(response, (response.created() ? "added vhost " : "vhost already exists: ") + name);
        }
    }

    @Command(name = "delete", description = {"Deletes a virtual host added at run time, with its queues, streams and messages (DELETE /api/vhosts/{name}).",
        "Its clients are disconnected. A virtual host the configuration names stays."})
    static final class Delete extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The virtual host's name.")
        String name;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            done(api.delete(ApiClient.path("vhosts", name), Map.of()), "deleted vhost " + name);
        }
    }
}
