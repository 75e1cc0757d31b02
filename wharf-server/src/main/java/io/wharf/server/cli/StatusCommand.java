package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** {@code wharf status}: is the broker up, since when, where it listens, and what it holds. */
@Command(name = "status", description = "Shows the broker's version, state, uptime, listeners, object totals and message rates (GET /api/overview).")
final class StatusCommand extends ReadCommand {

    @Override
    String path() {
        return ApiClient.path("overview");
    }

    @Override
    void print(JsonNode overview) {
        Table table = new Table().left("").left("").withoutHeader();
        table.row("broker", overview.path("product_name").asText("Wharf") + " " + overview.path("wharf_version").asText()
                + " at " + url() + " (Java " + overview.path("java_version").asText() + ")");
        table.row("state", overview.path("state").asText() + ", up " + Units.duration(overview.path("uptime_ms").asLong()));
        if (overview.hasNonNull("alarm")) {
            table.row("alarm", "publishers are blocked: " + overview.path("alarm").asText());
        }
        List<String> listeners = new ArrayList<>();
        for (JsonNode listener : overview.path("listeners")) {
            listeners.add(listener.path("protocol").asText() + " " + listener.path("port").asText());
        }
        table.row("listeners", String.join(", ", listeners));
        JsonNode objects = overview.path("object_totals");
        table.row("objects", String.join(", ",
                count(objects, "queues", "queue", "queues"), count(objects, "streams", "stream", "streams"),
                count(objects, "exchanges", "exchange", "exchanges"), count(objects, "consumer_groups", "consumer group", "consumer groups"),
                count(objects, "connections", "connection", "connections"), count(objects, "consumers", "consumer", "consumers")));
        JsonNode queues = overview.path("queue_totals");
        table.row("messages", queues.path("messages").asLong() + " in queues (" + queues.path("messages_ready").asLong() + " ready, "
                + queues.path("messages_unacknowledged").asLong() + " unacknowledged)");
        JsonNode stats = overview.path("message_stats");
        table.row("rates", "publish " + Units.rate(stats.path("publish_details").path("rate").asDouble())
                + ", deliver " + Units.rate(stats.path("deliver_get_details").path("rate").asDouble())
                + ", ack " + Units.rate(stats.path("ack_details").path("rate").asDouble()));
        table.print(out());
    }

    private static String count(JsonNode totals, String field, String one, String many) {
        long n = totals.path(field).asLong();
        return n + " " + (n == 1 ? one : many);
    }
}
