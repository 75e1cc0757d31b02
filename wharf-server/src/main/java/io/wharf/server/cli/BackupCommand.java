package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;

/** {@code wharf backup DIR}. */
@Command(name = "backup", description = {
    "Has the running broker write an online backup into DIR, a missing or empty directory on the broker's machine, "
        + "while clients keep publishing and consuming: definitions, users, every durable queue's messages and "
        + "acknowledgements, every stream's records and every group's offsets, as of one moment "
        + "(POST /api/storage/backups). 'wharf restore' builds a data directory from it."})
final class BackupCommand extends AuthenticatedCommand {

    private static final long POLL_MS = 200;

    @Parameters(index = "0", paramLabel = "DIR", description = "Where the backup goes.")
    Path directory;

    @Option(names = "--progress", order = 2, description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Override
    void run(ApiClient api) throws CommandException, InterruptedException {
        JsonNode status = api.post("/api/storage/backups", Map.of("directory", directory.toAbsolutePath().toString())).json();
        String path = "/api/storage/backups/" + status.path("id").asLong();
        Progress shown = new Progress(err(), progress || context.stderrIsTerminal(), System::nanoTime, Progress.INTERVAL);
        while (status.path("state").asText().equals("running")) {
            Thread.sleep(POLL_MS);
            status = api.get(path).json();
            shown.bytes("copied", status.path("bytes_copied").asLong(), status.path("bytes_total").asLong());
        }
        if (json()) {
            out().println(status.toString());
        }
        if (!status.path("state").asText().equals("done")) {
            throw new CommandException(ExitCodes.ERROR, "the backup failed: " + status.path("error").asText());
        }
        if (!json()) {
            out().println("backed up " + status.path("logs").asInt() + " log(s), " + Units.bytes(status.path("bytes_total").asLong())
                    + ", as of " + status.path("cut").asText() + ", into " + status.path("directory").asText()
                    + " in " + Units.duration(status.path("duration_ms").asLong()));
        }
    }
}
