package io.wharf.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.storage.StorageBackups;
import io.wharf.storage.StorageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** {@code wharf restore DIR --data-dir D}. */
@Command(name = "restore", description = {
    "Builds a new data directory from a backup 'wharf backup' wrote, for a broker that is not running; start the "
        + "broker on it afterwards. Every message confirmed before the backup started is there, nothing acknowledged "
        + "before it comes back, and consumer groups resume at their committed offsets."})
final class RestoreCommand extends LocalCommand {

    @Parameters(index = "0", paramLabel = "DIR", description = "The backup.")
    Path backup;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", order = 1,
            description = "The data directory to build: missing or empty.")
    Path dataDir;

    @Option(names = "--json", order = 2, description = "Print a JSON summary, for scripts.")
    boolean json;

    @Option(names = "--progress", order = 3, description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Override
    void run() throws CommandException {
        Progress shown = new Progress(err(), progress || context.stderrIsTerminal(), System::nanoTime, Progress.INTERVAL);
        long started = System.nanoTime();
        AtomicLong copied = new AtomicLong();
        long bytes;
        try {
            long total = StorageBackups.sizeOf(backup);
            bytes = StorageBackups.restore(backup, dataDir, n -> shown.bytes("restored", copied.addAndGet(n), total));
        } catch (StorageException | IOException e) {
            throw new CommandException(ExitCodes.ERROR, e.getMessage());
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("backup", backup.toAbsolutePath().toString());
            summary.put("data_dir", dataDir.toAbsolutePath().toString());
            summary.put("bytes", bytes);
            summary.put("duration_ms", millis);
            try {
                out().println(new ObjectMapper().writeValueAsString(summary));
            } catch (IOException e) {
                throw new CommandException(ExitCodes.ERROR, e.getMessage());
            }
        } else {
            out().println("restored " + Units.bytes(bytes) + " from " + backup + " into " + dataDir + " in " + Units.duration(millis)
                    + "; start the broker with --data-dir " + dataDir);
        }
    }
}
