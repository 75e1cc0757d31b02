package io.wharf.storage.metadata;

import io.wharf.storage.journal.CommandReader;
import io.wharf.storage.journal.CommandWriter;
import io.wharf.storage.journal.JournaledStore;
import io.wharf.storage.journal.StateJournal;
import io.wharf.storage.log.FsyncPolicy;
import io.wharf.storage.log.LogEnvironment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Durable definitions (exchanges, queues, bindings, streams, users) as a sorted map from string
 * keys to opaque values. Every change is a command in a {@link StateJournal}: a change of several
 * keys is one command, so it applies entirely or not at all, also across a crash, and readers
 * never see half of it.
 *
 * <p>Reads see durable state only: a change is visible once its future has completed.
 * Thread-safe.
 */
public final class MetadataStore extends JournaledStore {

    /** One change: set {@code key} to {@code value}, or delete it when {@code value} is null. */
    public record Mutation(String key, byte[] value) {

        public static Mutation put(String key, byte[] value) {
            return new Mutation(key, value.clone());
        }

        public static Mutation delete(String key) {
            return new Mutation(key, null);
        }
    }

    private static final long DEFAULT_SNAPSHOT_BYTES = 4L << 20;

    private final TreeMap<String, byte[]> entries = new TreeMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final StateJournal journal;

    private MetadataStore(Path dir, LogEnvironment env, long snapshotBytes) throws IOException {
        this.journal = StateJournal.open("metadata", dir, env, new Machine(), snapshotBytes, FsyncPolicy.ALWAYS);
    }

    public static MetadataStore open(Path dir, LogEnvironment env) throws IOException {
        return new MetadataStore(dir, env, DEFAULT_SNAPSHOT_BYTES);
    }

    /** Opens with a custom snapshot threshold, so tests can watch the journal being compacted. */
    public static MetadataStore open(Path dir, LogEnvironment env, long snapshotBytes) throws IOException {
        return new MetadataStore(dir, env, snapshotBytes);
    }

    public Optional<byte[]> get(String key) {
        lock.readLock().lock();
        try {
            byte[] v = entries.get(key);
            return v == null ? Optional.empty() : Optional.of(v.clone());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A copy of every entry whose key starts with {@code prefix}, in key order. */
    public SortedMap<String, byte[]> scan(String prefix) {
        lock.readLock().lock();
        try {
            SortedMap<String, byte[]> view = prefix.isEmpty()
                    ? entries
                    : entries.subMap(prefix, prefix + Character.MAX_VALUE);
            TreeMap<String, byte[]> copy = new TreeMap<>();
            view.forEach((k, v) -> copy.put(k, v.clone()));
            return Collections.unmodifiableSortedMap(copy);
        } finally {
            lock.readLock().unlock();
        }
    }

    public CompletableFuture<Void> put(String key, byte[] value) {
        return apply(List.of(Mutation.put(key, value)));
    }

    public CompletableFuture<Void> delete(String key) {
        return apply(List.of(Mutation.delete(key)));
    }

    /** Applies every mutation, in order, atomically. */
    public CompletableFuture<Void> apply(List<Mutation> mutations) {
        CommandWriter w = new CommandWriter(64 * mutations.size());
        w.putVarint(mutations.size());
        for (Mutation m : mutations) {
            w.putString(m.key()).putBytes(m.value());
        }
        return journal.submit(w.toByteArray());
    }

    @Override
    protected StateJournal journal() {
        return journal;
    }

    private final class Machine implements StateJournal.StateMachine {

        @Override
        public void apply(long offset, ByteBuffer command) {
            CommandReader r = new CommandReader(command);
            int n = r.getVarint();
            String[] keys = new String[n];
            byte[][] values = new byte[n][];
            for (int i = 0; i < n; i++) {
                keys[i] = r.getString();
                values[i] = r.getBytes();
            }
            lock.writeLock().lock();
            try {
                for (int i = 0; i < n; i++) {
                    if (values[i] == null) {
                        entries.remove(keys[i]);
                    } else {
                        entries.put(keys[i], values[i]);
                    }
                }
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public byte[] snapshot() {
            lock.readLock().lock();
            try {
                CommandWriter w = new CommandWriter(64 * entries.size() + 16);
                w.putVarint(entries.size());
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    w.putString(e.getKey()).putBytes(e.getValue());
                }
                return w.toByteArray();
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public void clear() {
            lock.writeLock().lock();
            try {
                entries.clear();
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public void restore(ByteBuffer snapshot) {
            CommandReader r = new CommandReader(snapshot);
            lock.writeLock().lock();
            try {
                entries.clear();
                int n = r.getVarint();
                for (int i = 0; i < n; i++) {
                    entries.put(r.getString(), r.getBytes());
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
