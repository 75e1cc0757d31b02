package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code wharf queues}: list, declare, delete and purge the queues of a vhost. */
@Command(name = "queues", aliases = "queue", description = "Lists, declares, deletes and purges queues.",
        subcommands = {QueuesCommand.Listing.class, QueuesCommand.Declare.class, QueuesCommand.Delete.class, QueuesCommand.Purge.class})
final class QueuesCommand extends CommandGroup {

    @Command(name = "list", description = "Lists the queues of the vhost with their depth, consumers and rates (GET /api/queues/{vhost}).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("queues", vhost());
        }

        @Override
        void print(JsonNode queues) {
            Table table = new Table().left("NAME").left("TYPE").left("DURABLE").right("MESSAGES").right("READY").right("UNACKED")
                    .right("BYTES").right("CONSUMERS").right("PUBLISH").right("DELIVER");
            for (JsonNode q : queues) {
                JsonNode stats = q.path("message_stats");
                table.row(q.path("name").asText(), q.path("type").asText(), Units.flag(q.path("durable")), q.path("messages").asLong(),
                        q.path("messages_ready").asLong(), q.path("messages_unacknowledged").asLong(),
                        Units.bytes(q.path("message_bytes_ready").asLong()), q.path("consumers").asLong(),
                        Units.rate(stats.path("publish_details").path("rate").asDouble()),
                        Units.rate(stats.path("deliver_get_details").path("rate").asDouble()));
            }
            table.print(out());
        }
    }

    @Command(name = "declare", description = "Declares a queue, or checks that an existing one has these properties (PUT /api/queues/{vhost}/{name}).")
    static final class Declare extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The queue's name.")
        String name;

        @Option(names = "--durable", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Whether the queue survives a restart (default: durable; --no-durable for a transient queue).")
        boolean durable;

        @Option(names = "--auto-delete", description = "Delete the queue when its last consumer goes.")
        boolean autoDelete;

        @Option(names = "--arg", paramLabel = "KEY=VALUE",
                description = "A queue argument, e.g. x-max-length=1000 or x-queue-type=quorum; numbers and true/false are sent as JSON numbers and booleans. Repeatable.")
        Map<String, String> arguments = new LinkedHashMap<>();

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("durable", durable);
            body.put("auto_delete", autoDelete);
            body.put("arguments", TypedValues.of(arguments));
            ApiClient.ApiResponse response = api.put(ApiClient.path("queues", vhost(), name), body);
            done(response, response.created() ? "declared " + named("queue", name) : named("queue", name) + " exists already with these properties");
        }
    }

    @Command(name = "delete", description = "Deletes a queue and its messages (DELETE /api/queues/{vhost}/{name}).")
    static final class Delete extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The queue's name.")
        String name;

        @Option(names = "--if-empty", description = "Only if the queue holds no messages; otherwise exit with 5.")
        boolean ifEmpty;

        @Option(names = "--if-unused", description = "Only if the queue has no consumers; otherwise exit with 5.")
        boolean ifUnused;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            StringBuilder query = new StringBuilder();
            if (ifEmpty) {
                query.append("if-empty=true");
            }
            if (ifUnused) {
                query.append(query.isEmpty() ? "" : "&").append("if-unused=true");
            }
            String path = ApiClient.path("queues", vhost(), name) + (query.isEmpty() ? "" : "?" + query);
            done(api.delete(path, Map.of()), "deleted " + named("queue", name));
        }
    }

    @Command(name = "purge", description = "Removes the ready messages of a queue (DELETE /api/queues/{vhost}/{name}/contents).")
    static final class Purge extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The queue's name.")
        String name;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            done(api.delete(ApiClient.path("queues", vhost(), name, "contents"), Map.of()), "purged " + named("queue", name));
        }
    }
}
