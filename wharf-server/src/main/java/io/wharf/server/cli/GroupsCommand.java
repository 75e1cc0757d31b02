package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code wharf groups list} and {@code wharf groups show NAME}: Kafka consumer groups and how far behind they are. */
@Command(name = "groups", aliases = "group", description = "Lists consumer groups and shows their lag.",
        subcommands = {GroupsCommand.Listing.class, GroupsCommand.Show.class})
final class GroupsCommand extends CommandGroup {

    @Command(name = "list", description = "Lists the consumer groups of the vhost with their total lag (GET /api/groups/{vhost}).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("groups", vhost());
        }

        @Override
        void print(JsonNode groups) {
            Table table = new Table().left("NAME").left("STATE").right("MEMBERS").right("LAG");
            for (JsonNode g : groups) {
                table.row(g.path("name").asText(), g.path("state").asText(), g.path("members").size(), g.path("lag").asLong());
            }
            table.print(out());
        }
    }

    @Command(name = "show", description = "Shows a consumer group: its members and assignments, and the committed offset and lag of each partition (GET /api/groups/{vhost}/{name}).")
    static final class Show extends ReadCommand {

        @Parameters(paramLabel = "NAME", description = "The group's id.")
        String name;

        @Override
        String path() {
            return ApiClient.path("groups", vhost(), name);
        }

        @Override
        void print(JsonNode group) {
            new Table().left("").left("").withoutHeader()
                    .row("group", group.path("name").asText())
                    .row("state", group.path("state").asText())
                    .row("protocol", (group.path("protocol_type").asText() + " " + group.path("protocol").asText()).strip())
                    .row("generation", group.path("generation").asLong())
                    .row("lag", group.path("lag").asLong())
                    .print(out());
            out().println();
            Table members = new Table().left("MEMBER").left("CLIENT").left("HOST").left("ASSIGNMENT");
            for (JsonNode m : group.path("members")) {
                members.row(m.path("member_id").asText(), m.path("client_id").asText(), m.path("client_host").asText(),
                        assignment(m.path("assignment")));
            }
            members.print(out());
            out().println();
            Table offsets = new Table().left("STREAM").right("PARTITION").right("COMMITTED").right("END").right("LAG");
            for (JsonNode o : group.path("offsets")) {
                offsets.row(o.path("stream").asText(), o.path("partition").asInt(), o.path("committed_offset").asLong(),
                        o.path("high_watermark").asLong(), o.path("lag").asLong());
            }
            offsets.print(out());
        }

        /** {@code events[0,1] audit[2]}. */
        private static String assignment(JsonNode byStream) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> stream : byStream.properties()) {
                List<String> partitions = new ArrayList<>();
                stream.getValue().forEach(p -> partitions.add(p.asText()));
                parts.add(stream.getKey() + "[" + String.join(",", partitions) + "]");
            }
            return String.join(" ", parts);
        }
    }
}
