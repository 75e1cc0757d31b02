package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.storage.StorageException;
import io.wharf.storage.StorageVerifier;
import io.wharf.storage.log.LogVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code wharf storage verify}. */
@Command(name = "storage", description = "Checks what the broker keeps on disk.", subcommands = StorageCommand.Verify.class)
final class StorageCommand extends CommandGroup {

    /** Exit code of a verification that found lost data. */
    static final int DAMAGE_FOUND = 1;

    @Command(name = "verify", description = {
        "Checks every CRC of every log, index and store and prints what is damaged; exits with 0 when nothing is, 1 when "
            + "something is.",
        "With --data-dir it reads a data directory no broker is using (the broker must be stopped); without, it asks the "
            + "running broker to check itself (POST /api/storage/verify), at its storage.scrub-rate."})
    static final class Verify extends AuthenticatedCommand {

        private static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--data-dir", paramLabel = "DIR", order = 1,
                description = "The data directory of a stopped broker, checked by this command itself.")
        Path dataDir;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            JsonNode report = dataDir != null ? verifyOffline() : api.post("/api/storage/verify", JSON.createObjectNode()).json();
            if (json()) {
                out().println(report.toPrettyString());
            } else {
                print(report);
            }
            if (!report.path("clean").asBoolean()) {
                throw new CommandException(DAMAGE_FOUND, "damage found: " + report.path("damage").size()
                        + " damaged stretch(es), " + report.path("other_problems").size() + " other problem(s)");
            }
        }

        /** Verifies the directory here, as the API would report it. */
        private JsonNode verifyOffline() throws CommandException {
            StorageVerifier.Report r;
            try {
                r = StorageVerifier.verify(dataDir, log -> { });
            } catch (StorageException | IOException e) {
                throw new CommandException(ExitCodes.ERROR, e.getMessage());
            }
            ObjectNode report = JSON.createObjectNode();
            report.put("clean", r.isClean());
            report.put("bytes_checked", r.bytesChecked());
            report.put("logs_checked", r.logsChecked());
            ArrayNode damage = report.putArray("damage");
            ArrayNode other = report.putArray("other_problems");
            // What the next start repairs without losing anything: an index to rebuild, a torn tail.
            ArrayNode notes = report.putArray("notes");
            for (LogVerifier.Finding f : r.findings()) {
                if (!f.damage()) {
                    notes.add(f.file() + ": " + f.what());
                    continue;
                }
                if (f.startByte() < 0) {
                    other.add(f.file() + ": " + f.what());
                    continue;
                }
                ObjectNode d = damage.addObject();
                d.put("file", f.file().toString());
                d.put("start_byte", f.startByte());
                d.put("end_byte", f.endByte());
                d.put("first_offset", f.firstOffset());
                d.put("next_offset", f.nextOffset());
                d.put("messages_skipped", f.firstOffset() < 0 ? 0 : Math.max(0, f.nextOffset() - f.firstOffset()));
                d.put("reason", f.what());
            }
            return report;
        }

        private void print(JsonNode report) {
            out().println("checked " + Units.bytes(report.path("bytes_checked").asLong()) + " in "
                    + report.path("logs_checked").asInt() + " log(s)");
            if (!report.path("damage").isEmpty()) {
                Table table = new Table().left("FILE").right("BYTES").right("OFFSETS").right("SKIPPED").left("WHAT");
                for (JsonNode d : report.path("damage")) {
                    long first = d.path("first_offset").asLong();
                    long next = d.path("next_offset").asLong();
                    table.row(d.path("file").asText(), d.path("start_byte").asLong() + "-" + d.path("end_byte").asLong(),
                            first < 0 || next <= first ? "-" : first + "-" + (next - 1), d.path("messages_skipped").asLong(),
                            d.path("reason").asText());
                }
                table.print(out());
            }
            for (JsonNode p : report.path("other_problems")) {
                out().println(p.asText());
            }
            for (JsonNode n : report.path("notes")) {
                out().println("note: " + n.asText());
            }
            out().println(report.path("clean").asBoolean() ? "no damage found" : "DAMAGE FOUND");
        }
    }
}
