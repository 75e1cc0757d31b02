package io.wharf.storage;

import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.file.Directories;
import io.wharf.storage.file.FileChannelFactory;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogConfig;
import io.wharf.storage.log.LogDamage;
import io.wharf.storage.log.LogEnvironment;
import io.wharf.storage.log.LogManager;
import io.wharf.storage.metadata.MetadataStore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a broker keeps on disk, under one data directory: the named logs of queues and
 * streams ({@code logs/}), the cursor store ({@code cursors/}) and the metadata store
 * ({@code metadata/}). Holds a lock on the directory so two brokers never share it.
 *
 * <p>Opened once at broker start; {@link #close()} closes the stores, then the logs, then the
 * threads, collecting every failure.
 */
public final class Storage implements AutoCloseable {

    /**
     * Where and how storage keeps its data.
     *
     * @param dataDir                the data directory
     * @param writerThreads          threads that write and force logs
     * @param logDefaults            configuration of logs that do not set their own
     * @param retentionCheckInterval how often retention limits are applied
     * @param clock                  time source for segment ages and retention
     * @param channels               how files are opened (tests inject failures here)
     * @param scrubInterval          time between background scrub passes; zero for none
     * @param scrubBytesPerSecond    how fast a scrub pass reads; 0 for no limit
     */
    public record Options(Path dataDir, int writerThreads, LogConfig logDefaults, Duration retentionCheckInterval,
                          Clock clock, FileChannelFactory channels, Duration scrubInterval, long scrubBytesPerSecond) {

        public static final long DEFAULT_SCRUB_BYTES_PER_SECOND = 50L << 20;

        public static Options defaults(Path dataDir) {
            return new Options(dataDir, Math.max(2, Runtime.getRuntime().availableProcessors()), LogConfig.DEFAULT,
                    Duration.ofMinutes(5), Clock.systemUTC(), FileChannelFactory.DEFAULT, Duration.ZERO,
                    DEFAULT_SCRUB_BYTES_PER_SECOND);
        }

        /** The same options over other file channels, as tests that inject failures use. */
        public Options withChannels(FileChannelFactory c) {
            return new Options(dataDir, writerThreads, logDefaults, retentionCheckInterval, clock, c, scrubInterval,
                    scrubBytesPerSecond);
        }
    }

    private final Path dataDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final LogEnvironment env;
    private final LogManager logs;
    private final CursorStore cursors;
    private final MetadataStore metadata;
    private final StorageScrubber scrubber;
    private final StorageBackups backups;

    private Storage(Options o) throws IOException {
        this.dataDir = o.dataDir().toAbsolutePath().normalize();
        Directories.createDurably(dataDir);
        lockChannel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new StorageException("the data directory " + dataDir + " is in use by another Wharf broker");
        }
        lock = l;
        LogEnvironment e = null;
        LogManager lm = null;
        CursorStore cs = null;
        try {
            e = LogEnvironment.builder().writerThreads(o.writerThreads()).clock(o.clock()).channels(o.channels()).build();
            lm = new LogManager(dataDir.resolve("logs"), e, o.logDefaults(), o.retentionCheckInterval());
            cs = CursorStore.open(dataDir.resolve("cursors"), e);
            metadata = MetadataStore.open(dataDir.resolve("metadata"), e);
        } catch (IOException | RuntimeException failure) {
            closeAll(failure, cs, lm, e, lockChannel);
            throw failure;
        }
        this.env = e;
        this.logs = lm;
        this.cursors = cs;
        this.scrubber = new StorageScrubber(this, o.scrubInterval(), o.scrubBytesPerSecond());
        this.backups = new StorageBackups(this);
    }

    /** Opens (creating if needed) the storage in {@code options.dataDir()}. */
    public static Storage open(Options options) throws IOException {
        return new Storage(options);
    }

    public Path dataDir() {
        return dataDir;
    }

    public LogManager logs() {
        return logs;
    }

    public CursorStore cursors() {
        return cursors;
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public LogEnvironment environment() {
        return env;
    }

    /** Every damaged stretch the open logs and the two stores skip. */
    public List<LogDamage> damage() {
        List<LogDamage> all = new ArrayList<>(cursors.damage());
        all.addAll(metadata.damage());
        for (Log log : logs.open()) {
            all.addAll(log.damage());
        }
        return all;
    }

    /** Online backups of this storage. */
    public StorageBackups backups() {
        return backups;
    }

    /** The background check of every byte kept; also runs a pass on demand. */
    public StorageScrubber scrubber() {
        return scrubber;
    }

    @Override
    public void close() throws IOException {
        IOException failure = new IOException("closing the storage in " + dataDir + " failed");
        closeAll(failure, backups, scrubber, metadata, cursors, logs, env);
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private static void closeAll(Exception failure, AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
