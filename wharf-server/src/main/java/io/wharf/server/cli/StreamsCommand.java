package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code wharf streams list}. */
@Command(name = "streams", aliases = "stream", description = "Lists streams (Kafka topics).",
        subcommands = StreamsCommand.Listing.class)
final class StreamsCommand extends CommandGroup {

    @Command(name = "list", description = "Lists the streams of the vhost with their size and rates (GET /api/streams/{vhost}).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("streams", vhost());
        }

        @Override
        void print(JsonNode streams) {
            Table table = new Table().left("NAME").right("PARTITIONS").right("MESSAGES").right("DISK").right("PUBLISH").right("DELIVER");
            for (JsonNode s : streams) {
                JsonNode stats = s.path("message_stats");
                table.row(s.path("name").asText(), s.path("partitions").asLong(), s.path("messages").asLong(),
                        Units.bytes(s.path("disk_bytes").asLong()),
                        Units.rate(stats.path("publish_details").path("rate").asDouble()),
                        Units.rate(stats.path("deliver_get_details").path("rate").asDouble()));
            }
            table.print(out());
        }
    }
}
