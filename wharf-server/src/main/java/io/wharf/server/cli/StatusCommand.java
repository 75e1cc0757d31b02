package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** {@code wharf status}: is the broker up, since when, where it listens, and what it holds. */
@Command(name = "status", description = "Shows the broker's version, uptime, listeners, object totals and message rates (GET /api/overview).")
final class StatusCommand extends ReadCommand {

    @Override
    String path() {
        return ApiClient.path("overview");
    }

    @Override
    void print(JsonNode overview) {
        Table table = new Table().left("").left("").withoutHeader();
        table.row("broker", (overview.path("product_name").asText("Wharf") + " " + overview.path("product_version").asText("")).strip()
                + " at " + url());
        if (overview.has("uptime")) {
            table.row("uptime", Units.duration(overview.path("uptime").asLong()));
        }
        List<String> listeners = new ArrayList<>();
        for (JsonNode listener : overview.path("listeners")) {
            listeners.add(listener.path("protocol").asText() + " " + listener.path("ip_address").asText() + ":" + listener.path("port").asText());
        }
        table.row("listeners", String.join(", ", listeners));
        JsonNode objects = overview.path("object_totals");
        table.row("objects", String.join(", ",
                count(objects, "queues", "queue"), count(objects, "streams", "stream"), count(objects, "exchanges", "exchange"),
                count(objects, "connections", "connection"), count(objects, "consumers", "consumer")));
        JsonNode queues = overview.path("queue_totals");
        table.row("messages", queues.path("messages").asLong() + " in queues (" + queues.path("messages_ready").asLong() + " ready, "
                + queues.path("messages_unacknowledged").asLong() + " unacknowledged)");
        JsonNode stats = overview.path("message_stats");
        table.row("rates", "publish " + Units.rate(stats.path("publish_details").path("rate").asDouble())
                + ", deliver " + Units.rate(stats.path("deliver_get_details").path("rate").asDouble()));
        table.print(out());
    }

    private static String count(JsonNode totals, String field, String singular) {
        long n = totals.path(field).asLong();
        return n + " " + (n == 1 ? singular : field);
    }
}
