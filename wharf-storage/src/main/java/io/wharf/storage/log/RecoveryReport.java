package io.wharf.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What opening a log found and did: whether it had been closed cleanly, which segments it
 * checked, what torn tail it cut off, what damage it fenced off and which indexes it rebuilt.
 * Each event is also logged once, as it happens.
 *
 * @param log               the log's name
 * @param cleanShutdown     whether the log had been closed cleanly
 * @param recoveredSegments segment files whose every batch was checked
 * @param truncations       torn tails cut off
 * @param damage            damaged stretches fenced off: kept on disk and skipped by reads
 * @param rebuiltIndexes    segment files whose indexes were rebuilt, with the reason
 */
public record RecoveryReport(String log, boolean cleanShutdown, List<Path> recoveredSegments,
                             List<Truncation> truncations, List<LogDamage> damage,
                             List<String> rebuiltIndexes) {

    /** A torn tail: the file was cut at {@code position}, dropping {@code bytes} of non-zero data. */
    public record Truncation(Path file, long position, long bytes) {
    }

    /** True when opening found nothing to repair. */
    public boolean isClean() {
        return truncations.isEmpty() && damage.isEmpty() && rebuiltIndexes.isEmpty();
    }

    static Builder builder(String log, boolean cleanShutdown) {
        return new Builder(log, cleanShutdown);
    }

    static final class Builder {
        private static final Logger LOG = LoggerFactory.getLogger(RecoveryReport.class);

        private final String log;
        private final boolean cleanShutdown;
        private final List<Path> recovered = new ArrayList<>();
        private final List<Truncation> truncations = new ArrayList<>();
        private final List<LogDamage> damage = new ArrayList<>();
        private final List<String> rebuilt = new ArrayList<>();

        private Builder(String log, boolean cleanShutdown) {
            this.log = log;
            this.cleanShutdown = cleanShutdown;
        }

        void recoveredSegment(Path file) {
            recovered.add(file);
        }

        void truncatedTail(Path file, long position, long bytes) {
            truncations.add(new Truncation(file, position, bytes));
            LOG.warn("log {}: cut a torn tail of {} bytes off {} at byte {}", log, bytes, file, position);
        }

        /** Damage fenced off at open; the log reports it itself. */
        void damaged(LogDamage d) {
            damage.add(d);
        }

        void rebuiltIndex(Path file, String reason) {
            rebuilt.add(file + ": " + reason);
            LOG.warn("log {}: rebuilt the indexes of {}: {}", log, file, reason);
        }

        RecoveryReport build() {
            return new RecoveryReport(log, cleanShutdown, List.copyOf(recovered), List.copyOf(truncations),
                    List.copyOf(damage), List.copyOf(rebuilt));
        }
    }
}
