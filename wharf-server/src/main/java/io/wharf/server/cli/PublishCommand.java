package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code wharf publish}: messages from the arguments, from the lines of stdin, or from whole files,
 * in batches through {@code POST /api/exchanges/{vhost}/{exchange}/publish-batch}. One request at
 * a time, so that the messages reach their queues in the order given.
 */
@Command(name = "publish", description = {
    "Publishes messages through an exchange (POST /api/exchanges/{vhost}/{exchange}/publish-batch, in order): one per BODY argument; "
        + "without BODY and --file, one per line of standard input.",
    "Ends with 'published N messages (M routed)'; M counts the messages some queue or stream took."})
final class PublishCommand extends AuthenticatedCommand {

    static final String DEFAULT_EXCHANGE = "amq.default";

    @Parameters(paramLabel = "BODY", arity = "0..*", description = "Message bodies, one message each.")
    List<String> bodies = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE",
            description = "A file whose whole content is one message (sent as base64 when it is not UTF-8 text). Repeatable.")
    List<Path> files = new ArrayList<>();

    @Option(names = {"-e", "--exchange"}, paramLabel = "EXCHANGE", defaultValue = DEFAULT_EXCHANGE,
            description = "Exchange (default: ${DEFAULT-VALUE}, the default exchange, which routes to the queue named by the routing key).")
    String exchange;

    @Option(names = {"-k", "--routing-key"}, paramLabel = "KEY", defaultValue = "", description = "Routing key (default: empty).")
    String routingKey;

    @Option(names = "--header", paramLabel = "KEY=VALUE", description = "A message header, as a string. Repeatable.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--persistent", description = "Mark the messages persistent (delivery mode 2).")
    boolean persistent;

    @Option(names = "--progress",
            description = "Print a progress line on stderr every second even when stderr is not a terminal (it is shown on a terminal anyway).")
    boolean progress;

    /** Messages and payload characters per request: large enough to leave round trips behind, well under the API's limit. */
    private static final int BATCH_MESSAGES = 1000;
    private static final long BATCH_CHARS = 4L << 20;

    private final List<Map<String, Object>> batch = new ArrayList<>();
    private long batchChars;
    private long published;
    private long routed;

    @Override
    void run(ApiClient api) throws CommandException, InterruptedException {
        if (!bodies.isEmpty() && !files.isEmpty()) {
            throw usage("give message bodies either as arguments or with --file, not both");
        }
        String path = ApiClient.path("exchanges", vhost(), exchange, "publish-batch");
        Progress shown = new Progress(err(), progress || context.stderrIsTerminal(), System::nanoTime, Progress.INTERVAL);
        if (!bodies.isEmpty()) {
            for (String body : bodies) {
                publish(api, path, text(body), shown);
            }
        } else if (!files.isEmpty()) {
            for (Path file : files) {
                publish(api, path, file(file), shown);
            }
        } else {
            publishLines(api, path, shown);
        }
        flush(api, path, shown);
        if (json()) {
            ObjectNode result = ApiClient.JSON.createObjectNode().put("published", published).put("routed", routed);
            out().println(result);
        } else {
            out().println("published " + published + (published == 1 ? " message" : " messages") + " (" + routed + " routed)");
        }
    }

    private void publishLines(ApiClient api, String path, Progress shown) throws CommandException, InterruptedException {
        // Not closed: standard input belongs to the process, not to this command.
        BufferedReader lines = new BufferedReader(new InputStreamReader(context.stdin(), StandardCharsets.UTF_8));
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                publish(api, path, text(line), shown);
            }
        } catch (IOException e) {
            throw new CommandException(ExitCodes.ERROR, "cannot read standard input: " + e.getMessage());
        }
    }

    private void publish(ApiClient api, String path, Map<String, Object> payload, Progress shown)
            throws CommandException, InterruptedException {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("delivery_mode", persistent ? 2 : 1);
        if (!headers.isEmpty()) {
            properties.put("headers", headers);
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("routing_key", routingKey);
        message.putAll(payload);
        message.put("properties", properties);
        batch.add(message);
        batchChars += ((String) payload.get("payload")).length();
        if (batch.size() >= BATCH_MESSAGES || batchChars >= BATCH_CHARS) {
            flush(api, path, shown);
        }
    }

    private void flush(ApiClient api, String path, Progress shown) throws CommandException, InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        JsonNode answer = api.post(path, Map.of("messages", batch)).json();
        published += answer.path("published").asLong();
        routed += answer.path("routed").asLong();
        batch.clear();
        batchChars = 0;
        shown.update(published, routed);
    }

    private static Map<String, Object> text(String body) {
        return Map.of("payload", body, "payload_encoding", "string");
    }

    private Map<String, Object> file(Path file) throws CommandException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CommandException(ExitCodes.ERROR, "cannot read " + file + ": " + e.getMessage());
        }
        try {
            String utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
            return text(utf8);
        } catch (CharacterCodingException binary) {
            return Map.of("payload", Base64.getEncoder().encodeToString(content), "payload_encoding", "base64");
        }
    }
}
