package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code wharf connections list} and {@code close}: client connections of every protocol. */
@Command(name = "connections", aliases = "connection", description = "Lists and closes client connections of every protocol.",
        subcommands = {ConnectionsCommand.Listing.class, ConnectionsCommand.Close.class})
final class ConnectionsCommand extends CommandGroup {

    @Command(name = "list", description = "Lists the connections of every protocol and vhost with their traffic (GET /api/connections).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("connections");
        }

        @Override
        void print(JsonNode connections) {
            Table table = new Table().left("NAME").left("PROTOCOL").left("USER").left("VHOST").left("CLIENT").right("CHANNELS")
                    .right("RECEIVED").right("SENT");
            for (JsonNode c : connections) {
                table.row(c.path("name").asText(), c.path("protocol").asText(), c.path("user").asText(), c.path("vhost").asText(),
                        c.path("client_id").asText(), c.path("channels").asLong(),
                        Units.byteRate(c.path("recv_oct_details").path("rate").asDouble()),
                        Units.byteRate(c.path("send_oct_details").path("rate").asDouble()));
            }
            table.print(out());
        }
    }

    @Command(name = "close", description = "Closes a connection (DELETE /api/connections/{name}).")
    static final class Close extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The connection's name, as connections list shows it.")
        String name;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Sent to the client where its protocol can carry it.")
        String reason;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            Map<String, String> headers = reason == null ? Map.of() : Map.of("X-Reason", reason);
            done(api.delete(ApiClient.path("connections", name), headers), "closed connection " + name);
        }
    }
}
