package io.wharf.storage.journal;

import io.wharf.storage.StorageException;
import io.wharf.storage.Throttle;
import io.wharf.storage.file.AtomicFile;
import io.wharf.storage.file.Directories;
import io.wharf.storage.log.FsyncPolicy;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogConfig;
import io.wharf.storage.log.LogDamage;
import io.wharf.storage.log.LogEnvironment;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.log.PendingAppend;
import io.wharf.storage.log.RecoveryReport;
import io.wharf.storage.record.InvalidRecordException;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A state machine made durable by a write-ahead log and snapshots: commands are appended to a
 * {@link Log}, applied in log order once durable, and every so often the whole state is written
 * to a snapshot file so the log below it can be deleted. Opening loads the snapshot and replays
 * the commands after it, so the state after a crash is exactly the state of the commands whose
 * futures had completed, plus possibly some that were durable but not yet acknowledged.
 *
 * <h2>Damage</h2>
 * The previous snapshot is kept, with the journal after it, so a damaged newest snapshot falls
 * back to the one before and replays from there. Damaged commands in the journal are skipped by
 * the log (and reported by it); a command that cannot be applied is skipped with a warning. Only
 * when no snapshot can be read at all does the state start empty and replay whatever journal is
 * left. Damage costs the commands it hit, never the ability to open.
 *
 * <p>Commands submitted while an append is in flight are gathered into the next batch, so a busy
 * journal writes large batches and a quiet one waits for a single fsync.
 *
 * <p>Threading: {@link #submit} may be called from any thread. The state machine's
 * {@code apply} runs on a storage thread, one command at a time, in log order; {@code snapshot}
 * runs under the same lock, so it never sees half an apply.
 */
public final class StateJournal implements AutoCloseable {

    /** The state a journal makes durable. */
    public interface StateMachine {

        /** Applies one command; called in log order, once durable, and again on replay. */
        void apply(long offset, ByteBuffer command);

        /** The whole state, serialised; consistent with every command applied so far. */
        byte[] snapshot();

        /** Replaces the state with one produced by {@link #snapshot()}. */
        void restore(ByteBuffer snapshot);

        /** Replaces the state with the empty one, as before any command. */
        void clear();
    }

    private static final Logger LOG = LoggerFactory.getLogger(StateJournal.class);

    /** A snapshot in a format this version cannot read: the broker must not start without its state. */
    private static final class UnreadableSnapshotException extends StorageException {
        UnreadableSnapshotException(String message) {
            super(message);
        }
    }
    static final String SNAPSHOT_FILE = "snapshot";
    static final String PREVIOUS_SNAPSHOT_FILE = "snapshot.previous";
    private static final int SNAPSHOT_VERSION = 1;
    private static final int MAX_BATCH_BYTES = 1 << 20;

    private record Pending(byte[] command, CompletableFuture<Void> future) {
    }

    private final String name;
    private final Path dir;
    private final Log log;
    private final StateMachine machine;
    private final LogEnvironment env;
    private final long snapshotEveryBytes;

    private final Object stateLock = new Object();
    // Snapshots are written one at a time: two at once could rename an older one over a newer
    // one whose journal prefix was already deleted.
    private final Object snapshotLock = new Object();
    private long lastApplied = -1;
    // The journal is kept from the previous snapshot on, so that it can stand in for a damaged newest one.
    private long previousSnapshotOffset = -1;
    private long bytesSinceSnapshot;
    private boolean snapshotScheduled;

    private final ReentrantLock queueLock = new ReentrantLock();
    private List<Pending> queue = new ArrayList<>();
    private boolean inFlight;
    private volatile boolean closed;

    private StateJournal(String name, Path dir, LogEnvironment env, StateMachine machine, long snapshotEveryBytes,
                         FsyncPolicy fsync) throws IOException {
        this.name = name;
        this.dir = dir;
        this.env = env;
        this.machine = machine;
        this.snapshotEveryBytes = snapshotEveryBytes;
        Directories.createDurably(dir);
        this.log = Log.open(name, dir.resolve("journal"),
                LogConfig.DEFAULT.withSegmentBytes(16 << 20).withFsync(fsync), env);
        try {
            long snapshotOffset = restoreSnapshot();
            // New commands must land after every offset a snapshot covers, or a later open would skip them.
            log.advanceTo(snapshotOffset + 1);
            replay(snapshotOffset + 1);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Opens the journal in {@code dir}, restoring {@code machine} from its snapshot and the
     * commands after it.
     *
     * @param snapshotEveryBytes write a snapshot once this many command bytes were applied since the last
     * @param fsync              when commands are forced to disk, and so when their futures complete
     */
    public static StateJournal open(String name, Path dir, LogEnvironment env, StateMachine machine,
                                    long snapshotEveryBytes, FsyncPolicy fsync) throws IOException {
        return new StateJournal(name, dir, env, machine, snapshotEveryBytes, fsync);
    }

    /**
     * Restores the newest snapshot that can be read, falling back to the previous one and then to
     * the empty state; returns the offset of the last command it covers, or -1.
     */
    private long restoreSnapshot() {
        for (String file : new String[] {SNAPSHOT_FILE, PREVIOUS_SNAPSHOT_FILE}) {
            Path path = dir.resolve(file);
            try {
                byte[] bytes = AtomicFile.read(path).orElse(null);
                if (bytes == null) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                int version = b.getInt();
                if (version != SNAPSHOT_VERSION) {
                    // Not damage (its checksum is right) but a newer format: falling back would lose state.
                    throw new UnreadableSnapshotException(path + " has snapshot format " + version
                            + ", which this version of Wharf cannot read");
                }
                long upTo = b.getLong();
                machine.restore(b.slice());
                lastApplied = upTo;
                if (file.equals(PREVIOUS_SNAPSHOT_FILE)) {
                    previousSnapshotOffset = upTo;
                } else {
                    previousSnapshotOffset = readSnapshotOffset(dir.resolve(PREVIOUS_SNAPSHOT_FILE));
                }
                return upTo;
            } catch (UnreadableSnapshotException e) {
                throw e;
            } catch (IOException | StorageException e) {
                LOG.warn("journal {}: cannot restore {} ({}); falling back to an older state", name, path, e.getMessage());
                machine.clear();
            }
        }
        if (log.startOffset() > 0) {
            LOG.warn("journal {} in {}: no snapshot can be read; rebuilding from the commands after offset {} only",
                    name, dir, log.startOffset());
        }
        return -1;
    }

    /** The offset a snapshot file covers up to, or -1 if it is missing or cannot be read. */
    private static long readSnapshotOffset(Path file) {
        try {
            return AtomicFile.read(file).map(bytes -> ByteBuffer.wrap(bytes).getLong(4)).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private void replay(long from) {
        long offset = from;
        if (offset < log.startOffset()) {
            LOG.warn("journal {} in {}: the commands in [{}, {}) are gone; replaying from offset {}",
                    name, dir, offset, log.startOffset(), log.startOffset());
            offset = log.startOffset();
        }
        long end = log.endOffset();
        int applied = 0;
        while (offset < end) {
            try (LogSlice s = log.read(offset, 1 << 20, Log.ReadBound.WRITTEN)) {
                for (Record r : s.records()) {
                    applyOne(r.offset(), r.value());
                    applied++;
                }
                offset = s.nextOffset();
            }
        }
        if (applied > 0) {
            LOG.debug("journal {}: replayed {} command(s) after the snapshot", name, applied);
        }
    }

    private void applyOne(long offset, ByteBuffer command) {
        synchronized (stateLock) {
            try {
                machine.apply(offset, command.duplicate());
            } catch (InvalidRecordException e) {
                // A command that decodes wrongly is damage the CRC missed; the rest of the state stands.
                LOG.warn("journal {}: the command at offset {} cannot be applied and is skipped: {}", name, offset, e.toString());
            }
            lastApplied = offset;
            bytesSinceSnapshot += command.remaining();
        }
    }

    /**
     * Appends a command. The future completes once it is durable and applied, or fails with the
     * storage error that kept it from being written (then it was not applied).
     */
    public CompletableFuture<Void> submit(byte[] command) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        queueLock.lock();
        try {
            if (closed) {
                f.completeExceptionally(new StorageException("journal " + name + " is closed"));
                return f;
            }
            queue.add(new Pending(command, f));
            if (!inFlight) {
                inFlight = true;
                sendQueued();
            }
        } finally {
            queueLock.unlock();
        }
        return f;
    }

    /** Sends everything queued as batches; called with queueLock held and inFlight set. */
    private void sendQueued() {
        List<Pending> all = queue;
        queue = new ArrayList<>();
        long now = env.clock().millis();
        int from = 0;
        List<CompletableFuture<Void>> appended = new ArrayList<>();
        while (from < all.size()) {
            RecordBatchBuilder b = new RecordBatchBuilder();
            int to = from;
            while (to < all.size() && (to == from || b.sizeInBytes() + all.get(to).command().length < MAX_BATCH_BYTES)) {
                b.append(now, null, ByteBuffer.wrap(all.get(to).command()), List.of());
                to++;
            }
            List<Pending> part = all.subList(from, to);
            CompletableFuture<Void> done;
            try {
                PendingAppend append = log.append(b.buildChecked());
                done = append.future().handle((r, err) -> {
                    if (err == null) {
                        long offset = r.baseOffset();
                        for (Pending p : part) {
                            applyOne(offset++, ByteBuffer.wrap(p.command()));
                        }
                        part.forEach(p -> p.future().complete(null));
                    } else {
                        part.forEach(p -> p.future().completeExceptionally(err));
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                part.forEach(p -> p.future().completeExceptionally(e));
                done = CompletableFuture.completedFuture(null);
            }
            appended.add(done);
            from = to;
        }
        CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> afterSend());
    }

    private void afterSend() {
        maybeScheduleSnapshot();
        queueLock.lock();
        try {
            if (queue.isEmpty()) {
                inFlight = false;
            } else {
                sendQueued();
            }
        } finally {
            queueLock.unlock();
        }
    }

    private void maybeScheduleSnapshot() {
        synchronized (stateLock) {
            if (snapshotScheduled || bytesSinceSnapshot < snapshotEveryBytes || closed) {
                return;
            }
            snapshotScheduled = true;
        }
        env.scheduler().execute(() -> {
            try {
                if (!closed) {
                    snapshot();
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("journal {}: snapshot failed, the journal keeps growing until one succeeds: {}", name, e.toString());
            } finally {
                synchronized (stateLock) {
                    snapshotScheduled = false;
                }
            }
        });
    }

    /** Writes a snapshot of the current state and deletes the journal below it. */
    public void snapshot() throws IOException {
        synchronized (snapshotLock) {
            byte[] snapshot;
            synchronized (stateLock) {
                if (lastApplied < 0) {
                    return;
                }
                snapshot = encodedState();
                bytesSinceSnapshot = 0;
            }
            Path newest = dir.resolve(SNAPSHOT_FILE);
            long replaced = readSnapshotOffset(newest);
            if (replaced >= 0) {
                Files.move(newest, dir.resolve(PREVIOUS_SNAPSHOT_FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            AtomicFile.write(newest, snapshot);
            if (replaced >= 0) {
                previousSnapshotOffset = replaced;
            }
            if (previousSnapshotOffset >= 0) {
                log.deleteBefore(previousSnapshotOffset + 1);
            }
        }
    }

    /**
     * Checks the journal's log as {@link Log#scrub} does, and its snapshot files: a damaged newest
     * snapshot is written afresh from the state in memory, the previous one is replaced by the
     * next snapshot.
     *
     * @return what was wrong with the snapshots; the log reports its own damage
     */
    public List<String> scrub(Throttle throttle) throws IOException {
        log.scrub(throttle);
        List<String> problems = new ArrayList<>();
        for (String file : new String[] {SNAPSHOT_FILE, PREVIOUS_SNAPSHOT_FILE}) {
            Path path = dir.resolve(file);
            try {
                AtomicFile.read(path).ifPresent(bytes -> throttle.acquire(bytes.length));
            } catch (IOException | RuntimeException e) {
                problems.add(path + ": " + e.getMessage());
                LOG.warn("journal {}: {} is damaged ({}){}", name, path, e.getMessage(),
                        file.equals(SNAPSHOT_FILE) ? "; writing it afresh" : "; the next snapshot replaces it");
                if (file.equals(SNAPSHOT_FILE)) {
                    snapshot();
                }
            }
        }
        return problems;
    }

    /**
     * Writes the whole state, as of the last command applied, to {@code file} in the snapshot
     * format: a journal opened where that file is its snapshot starts from this state.
     */
    public void snapshotTo(Path file) throws IOException {
        AtomicFile.write(file, encodedState());
    }

    /** The state as of the last command applied, in the snapshot format: version, that command's offset, state. */
    private byte[] encodedState() {
        synchronized (stateLock) {
            byte[] state = machine.snapshot();
            return ByteBuffer.allocate(12 + state.length).putInt(SNAPSHOT_VERSION).putLong(lastApplied).put(state).array();
        }
    }

    /** What opening the journal's log found and repaired. */
    public RecoveryReport recoveryReport() {
        return log.recoveryReport();
    }

    /** Damaged stretches of the journal's log: the commands in them were skipped. */
    public List<LogDamage> damage() {
        return log.damage();
    }

    /** Bytes the journal's log holds on disk now. */
    public long journalBytes() {
        return log.sizeInBytes();
    }

    @Override
    public void close() throws IOException {
        queueLock.lock();
        try {
            closed = true;
        } finally {
            queueLock.unlock();
        }
        synchronized (snapshotLock) {
            log.close();
        }
    }
}
