package io.wharf.storage.cursor;

import io.wharf.storage.journal.CommandReader;
import io.wharf.storage.journal.CommandWriter;
import io.wharf.storage.journal.JournaledStore;
import io.wharf.storage.journal.StateJournal;
import io.wharf.storage.log.FsyncPolicy;
import io.wharf.storage.log.LogEnvironment;
import io.wharf.storage.record.InvalidRecordException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable cursors: where each consumer of each log stands. Every update is a small command in a
 * {@link StateJournal}; a cursor is named once and referred to by a number afterwards, so an
 * acknowledgement costs a few bytes on disk, and snapshots keep the journal short.
 *
 * <p>Updates complete once written; they are forced to disk within 100 ms, so a process crash
 * loses none and a power cut at most that much. Reads return the written state. Thread-safe.
 */
public final class CursorStore extends JournaledStore {

    private static final byte DEFINE = 1;
    private static final byte DROP = 2;
    private static final byte ACK = 3;
    private static final byte MARK_DELETE = 4;
    private static final byte COMMIT = 5;

    private static final long DEFAULT_SNAPSHOT_BYTES = 32L << 20;
    /**
     * Cursor updates are written at once and forced every 100 ms rather than each on its own: an
     * acknowledgement lost to a power cut only means a redelivery, and a process crash loses none.
     * Acknowledging every message with an fsync would halve what a queue can deliver.
     */
    private static final FsyncPolicy FSYNC = new FsyncPolicy(FsyncPolicy.Mode.INTERVAL, 100);

    /** Durable state, changed only by {@link Machine#apply}. */
    private static final class Cursor {
        final long id;
        final String name;
        long markDelete;
        final OffsetRangeSet acked = new OffsetRangeSet();
        long committedOffset = -1;
        byte[] metadata;

        Cursor(long id, String name) {
            this.id = id;
            this.name = name;
        }

        void ack(long first, long last) {
            if (last < markDelete) {
                return;
            }
            acked.add(Math.max(first, markDelete), last);
            advance();
        }

        void markDelete(long offset) {
            if (offset > markDelete) {
                markDelete = offset;
                acked.removeBelow(offset);
                advance();
            }
        }

        private void advance() {
            long next = acked.firstAbsentFrom(markDelete);
            if (next > markDelete) {
                markDelete = next;
                acked.removeBelow(next);
            }
        }

        CursorState state() {
            return new CursorState(name, markDelete, acked.ranges(), committedOffset,
                    metadata == null ? null : metadata.clone());
        }
    }

    private final Map<Long, Cursor> byId = new HashMap<>();
    private final Map<String, Cursor> byName = new LinkedHashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private long nextId;
    private final StateJournal journal;

    private CursorStore(Path dir, LogEnvironment env, long snapshotBytes) throws IOException {
        this.journal = StateJournal.open("cursors", dir, env, new Machine(), snapshotBytes, FSYNC);
        synchronized (this) {
            for (Cursor c : byName.values()) {
                ids.put(c.name, c.id);
            }
        }
    }

    public static CursorStore open(Path dir, LogEnvironment env) throws IOException {
        return new CursorStore(dir, env, DEFAULT_SNAPSHOT_BYTES);
    }

    /** Opens with a custom snapshot threshold, so tests can watch the journal being compacted. */
    public static CursorStore open(Path dir, LogEnvironment env, long snapshotBytes) throws IOException {
        return new CursorStore(dir, env, snapshotBytes);
    }

    public synchronized Optional<CursorState> get(String name) {
        Cursor c = byName.get(name);
        return c == null ? Optional.empty() : Optional.of(c.state());
    }

    /** Every durable cursor by name. */
    public synchronized Map<String, CursorState> all() {
        Map<String, CursorState> out = new LinkedHashMap<>();
        byName.forEach((n, c) -> out.put(n, c.state()));
        return out;
    }

    /** Acknowledges one offset. */
    public CompletableFuture<Void> ack(String cursor, long offset) {
        return ack(cursor, offset, offset);
    }

    /** Acknowledges every offset in [first, last]. */
    public CompletableFuture<Void> ack(String cursor, long first, long last) {
        if (last < first) {
            throw new IllegalArgumentException("empty range [" + first + ", " + last + "]");
        }
        return journal.submit(command(ACK, cursor).putVarlong(first).putVarlong(last).toByteArray());
    }

    /** Acknowledges everything below {@code offset}. */
    public CompletableFuture<Void> markDelete(String cursor, long offset) {
        return journal.submit(command(MARK_DELETE, cursor).putVarlong(offset).toByteArray());
    }

    /** Records a committed offset, as a stream consumer group does; it may move backwards. */
    public CompletableFuture<Void> commit(String cursor, long offset, byte[] metadata) {
        return journal.submit(command(COMMIT, cursor).putVarlong(offset).putBytes(metadata).toByteArray());
    }

    /** Forgets a cursor. */
    public CompletableFuture<Void> delete(String cursor) {
        Long id;
        synchronized (this) {
            id = ids.remove(cursor);
        }
        if (id == null) {
            return CompletableFuture.completedFuture(null);
        }
        return journal.submit(new CommandWriter(12).putByte(DROP).putVarlong(id).toByteArray());
    }

    private CommandWriter command(byte type, String cursor) {
        return new CommandWriter(32).putByte(type).putVarlong(idFor(cursor));
    }

    /** The cursor's number, defining it in the journal first if it is new. */
    private synchronized long idFor(String cursor) {
        Long id = ids.get(cursor);
        if (id != null) {
            return id;
        }
        long assigned = nextId++;
        ids.put(cursor, assigned);
        // Submitted under the lock: no command naming this id can be queued before its definition.
        journal.submit(new CommandWriter(16 + cursor.length()).putByte(DEFINE).putVarlong(assigned)
                .putString(cursor).toByteArray());
        return assigned;
    }

    @Override
    protected StateJournal journal() {
        return journal;
    }

    private final class Machine implements StateJournal.StateMachine {

        @Override
        public void apply(long offset, ByteBuffer command) {
            CommandReader c = new CommandReader(command);
            synchronized (CursorStore.this) {
                byte type = c.getByte();
                long id = c.getVarlong();
                if (type == DEFINE) {
                    String name = c.getString();
                    Cursor old = byName.remove(name);
                    if (old != null) {
                        byId.remove(old.id);
                    }
                    Cursor cur = new Cursor(id, name);
                    byId.put(id, cur);
                    byName.put(name, cur);
                    nextId = Math.max(nextId, id + 1);
                    return;
                }
                Cursor cur = byId.get(id);
                if (cur == null) {
                    return;
                }
                switch (type) {
                    case DROP -> {
                        byId.remove(id);
                        byName.remove(cur.name);
                    }
                    case ACK -> cur.ack(c.getVarlong(), c.getVarlong());
                    case MARK_DELETE -> cur.markDelete(c.getVarlong());
                    case COMMIT -> {
                        cur.committedOffset = c.getVarlong();
                        cur.metadata = c.getBytes();
                    }
                    default -> throw new InvalidRecordException("unknown cursor command " + type + " at offset " + offset);
                }
            }
        }

        @Override
        public byte[] snapshot() {
            synchronized (CursorStore.this) {
                CommandWriter w = new CommandWriter(64 * byId.size() + 16);
                w.putVarlong(nextId).putVarint(byId.size());
                for (Cursor c : byId.values()) {
                    w.putVarlong(c.id).putString(c.name).putVarlong(c.markDelete).putVarlong(c.committedOffset)
                            .putBytes(c.metadata).putVarint(c.acked.rangeCount());
                    long prev = c.markDelete;
                    for (int i = 0; i < c.acked.rangeCount(); i++) {
                        OffsetRangeSet.Range r = c.acked.range(i);
                        w.putVarlong(r.first() - prev).putVarlong(r.last() - r.first());
                        prev = r.last();
                    }
                }
                return w.toByteArray();
            }
        }

        @Override
        public void clear() {
            synchronized (CursorStore.this) {
                byId.clear();
                byName.clear();
                nextId = 0;
            }
        }

        @Override
        public void restore(ByteBuffer snapshot) {
            CommandReader r = new CommandReader(snapshot);
            synchronized (CursorStore.this) {
                byId.clear();
                byName.clear();
                nextId = r.getVarlong();
                int n = r.getVarint();
                for (int i = 0; i < n; i++) {
                    Cursor c = new Cursor(r.getVarlong(), r.getString());
                    c.markDelete = r.getVarlong();
                    c.committedOffset = r.getVarlong();
                    c.metadata = r.getBytes();
                    int ranges = r.getVarint();
                    long prev = c.markDelete;
                    for (int k = 0; k < ranges; k++) {
                        long first = prev + r.getVarlong();
                        long last = first + r.getVarlong();
                        c.acked.add(first, last);
                        prev = last;
                    }
                    byId.put(c.id, c);
                    byName.put(c.name, c);
                }
            }
        }
    }
}
