package io.wharf.storage.journal;

import io.wharf.storage.Throttle;
import io.wharf.storage.log.LogDamage;
import io.wharf.storage.log.RecoveryReport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What every store a {@link StateJournal} makes durable offers beside its own reads and changes:
 * compaction, damage reports, the scrub, backup snapshots and closing.
 *
 * <p>Thread-safe, as the journal is.
 */
public abstract class JournaledStore implements AutoCloseable {

    /** The journal that makes the store durable. */
    protected abstract StateJournal journal();

    /** Writes a snapshot now and shortens the journal. */
    public void compact() throws IOException {
        journal().snapshot();
    }

    /** Damaged stretches of the store's journal, whose changes were skipped when it opened or read. */
    public List<LogDamage> damage() {
        return journal().damage();
    }

    /**
     * Checks the store's journal and snapshots, reading no faster than {@code throttle} allows.
     *
     * @return what was wrong with the snapshots; damage in the journal is listed by {@link #damage()}
     */
    public List<String> scrub(Throttle throttle) throws IOException {
        return journal().scrub(throttle);
    }

    /** Writes the store's whole state to {@code file}, as the snapshot of a store a backup restores. */
    public void snapshotTo(Path file) throws IOException {
        journal().snapshotTo(file);
    }

    /** What opening the store's journal found and repaired. */
    public RecoveryReport recoveryReport() {
        return journal().recoveryReport();
    }

    /** Bytes the journal occupies on disk. */
    public long journalBytes() {
        return journal().journalBytes();
    }

    @Override
    public void close() throws IOException {
        journal().close();
    }
}
