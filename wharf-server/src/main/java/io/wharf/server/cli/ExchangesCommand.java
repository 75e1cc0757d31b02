package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code wharf exchanges list}. */
@Command(name = "exchanges", aliases = "exchange", description = "Lists exchanges.",
        subcommands = ExchangesCommand.Listing.class)
final class ExchangesCommand extends CommandGroup {

    /** The default exchange's name is empty in the API; people know it by RabbitMQ's label. */
    static final String DEFAULT_EXCHANGE_LABEL = "(AMQP default)";

    @Command(name = "list", description = "Lists the exchanges of the vhost (GET /api/exchanges/{vhost}).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("exchanges", vhost());
        }

        @Override
        void print(JsonNode exchanges) {
            Table table = new Table().left("NAME").left("TYPE").left("DURABLE").left("AUTO-DELETE").left("INTERNAL");
            for (JsonNode e : exchanges) {
                String name = e.path("name").asText();
                table.row(name.isEmpty() ? DEFAULT_EXCHANGE_LABEL : name, e.path("type").asText(), Units.flag(e.path("durable")),
                        Units.flag(e.path("auto_delete")), Units.flag(e.path("internal")));
            }
            table.print(out());
        }
    }
}
