package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code wharf consume QUEUE}: takes messages from a queue through
 * {@code POST /api/queues/{vhost}/{name}/get} and prints their bodies, one per line. Messages are
 * taken away ({@code ack_requeue_false}) unless {@code --peek} puts them back.
 */
@Command(name = "consume", description = {
    "Takes messages from a queue and prints each body on a line of its own (POST /api/queues/{vhost}/{name}/get).",
    "Without --count it takes every message the queue holds, and with --follow it keeps waiting for new ones until Ctrl-C. "
        + "Bodies that are not UTF-8 text are printed in base64; --json prints each whole message, one JSON object per line."})
final class ConsumeCommand extends AuthenticatedCommand {

    /** How many messages one request takes at most; a few hundred keep each answer small. */
    static final int BATCH = 200;
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    @Parameters(paramLabel = "QUEUE", description = "The queue's name.")
    String queue;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N messages.")
    Integer count;

    @Option(names = {"-f", "--follow"}, description = "Keep polling for new messages until Ctrl-C or until --count messages came.")
    boolean follow;

    @Option(names = "--peek", description = "Put the messages back (ackmode ack_requeue_true) instead of taking them away; they are marked redelivered.")
    boolean peek;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the messages to FILE instead of stdout.")
    Path output;

    @Override
    void run(ApiClient api) throws CommandException, InterruptedException {
        if (count != null && count < 1) {
            throw usage("--count must be at least 1, not " + count);
        }
        if (peek && follow) {
            throw usage("--peek puts messages back, so --follow would print the same ones again and again: use one of them");
        }
        if (output == null) {
            consume(api, out());
            return;
        }
        long written;
        try (PrintWriter file = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
            written = consume(api, file);
            if (file.checkError()) {
                throw new CommandException(ExitCodes.ERROR, "cannot write " + output);
            }
        } catch (IOException e) {
            throw new CommandException(ExitCodes.ERROR, "cannot write " + output + ": " + e.getMessage());
        }
        if (!json()) {
            out().println("wrote " + written + (written == 1 ? " message" : " messages") + " to " + output);
        }
    }

    /** Prints messages until the limit, or until the queue is empty unless following; returns how many. */
    private long consume(ApiClient api, PrintWriter target) throws CommandException, InterruptedException {
        String path = ApiClient.path("queues", vhost(), queue, "get");
        if (peek) {
            // Messages put back would come again in the next request: one request, for all of them.
            int wanted = count != null ? count : readyMessages(api);
            return wanted == 0 ? 0 : print(get(api, path, wanted), target);
        }
        long taken = 0;
        while (count == null || taken < count) {
            int wanted = count == null ? BATCH : (int) Math.min(BATCH, count - taken);
            JsonNode messages = get(api, path, wanted);
            taken += print(messages, target);
            boolean drained = messages.size() < wanted || messages.get(messages.size() - 1).path("message_count").asLong() == 0;
            if (drained) {
                if (!follow) {
                    break;
                }
                Thread.sleep(POLL_INTERVAL);
            }
        }
        return taken;
    }

    private int readyMessages(ApiClient api) throws CommandException, InterruptedException {
        return (int) Math.min(Integer.MAX_VALUE, api.get(ApiClient.path("queues", vhost(), queue)).json().path("messages_ready").asLong());
    }

    private JsonNode get(ApiClient api, String path, int wanted) throws CommandException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("count", wanted);
        request.put("ackmode", peek ? "ack_requeue_true" : "ack_requeue_false");
        request.put("encoding", "auto");
        JsonNode messages = api.post(path, request).json();
        if (!messages.isArray()) {
            throw new CommandException(ExitCodes.ERROR, "the broker answered a get with something other than a list of messages");
        }
        return messages;
    }

    private int print(JsonNode messages, PrintWriter target) {
        for (JsonNode message : messages) {
            // Compact JSON has no line breaks: one message per line even with --json.
            target.println(json() ? message.toString() : message.path("payload").asText());
        }
        target.flush();
        return messages.size();
    }
}
