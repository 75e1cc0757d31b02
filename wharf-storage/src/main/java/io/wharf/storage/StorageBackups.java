package io.wharf.storage;

import io.wharf.storage.concurrent.NamedThreadFactory;
import io.wharf.storage.file.AtomicFile;
import io.wharf.storage.file.Directories;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogBackup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Online backups of a running broker's storage, and their restore into a new data directory.
 *
 * <h2>The cut</h2>
 * A backup is the state at one moment, taken without stopping anything: the metadata store's and
 * then the cursor store's state are written as snapshots (each costs only the time to serialise
 * it under the store's lock), then every log is cut at its durable end, its segments pinned so
 * retention cannot delete them. Everything confirmed before the backup started was durable then,
 * so it is in the cut; every acknowledgement made before then is in the cursor snapshot, and a
 * queue saves an acknowledgement only once the message it names is durable, so the snapshot never
 * names a message the cut lacks. The copying happens after, outside every lock: closed segments
 * never change, and of the segment being written only the bytes below the cut are copied.
 *
 * <p>Threading: backups run one at a time on a thread of their own; {@link #start} and
 * {@link #status} may be called from any thread.
 */
public final class StorageBackups implements AutoCloseable {

    /** The file that marks a directory as a backup, with what it holds. */
    public static final String MANIFEST = "wharf-backup";

    private static final Logger LOG = LoggerFactory.getLogger(StorageBackups.class);

    /**
     * Where a backup stands.
     *
     * @param id          its number, from 1
     * @param directory   where it is written
     * @param state       {@code running}, {@code done} or {@code failed}
     * @param cut         when the cut was taken, or null before
     * @param logs        logs in the backup
     * @param bytesTotal  bytes to copy
     * @param bytesCopied bytes copied so far
     * @param millis      how long it has taken
     * @param error       why it failed, or null
     */
    public record Status(long id, Path directory, String state, Instant cut, int logs, long bytesTotal, long bytesCopied,
                         long millis, String error) {
    }

    private final Storage storage;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(new NamedThreadFactory("backup", true));
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    StorageBackups(Storage storage) {
        this.storage = storage;
    }

    /** A backup's progress, updated by the backup thread and read by anyone. */
    private static final class Job {
        final long id;
        final Path directory;
        final long started = System.nanoTime();
        volatile String state = "running";
        volatile Instant cut;
        volatile int logs;
        volatile long bytesTotal;
        final AtomicLong bytesCopied = new AtomicLong();
        volatile long finished = -1;
        volatile String error;

        Job(long id, Path directory) {
            this.id = id;
            this.directory = directory;
        }

        Status status() {
            long end = finished < 0 ? System.nanoTime() : finished;
            return new Status(id, directory, state, cut, logs, bytesTotal, bytesCopied.get(),
                    TimeUnit.NANOSECONDS.toMillis(end - started), error);
        }
    }

    /**
     * Starts a backup into {@code directory}, which must be absolute and either missing or empty.
     *
     * @param logs which logs to copy, by name (logs that do not survive a restart are left out)
     * @throws StorageException if the directory cannot take a backup
     */
    public Status start(Path directory, Predicate<String> logs) throws IOException {
        if (!directory.isAbsolute()) {
            throw new StorageException("a backup directory must be an absolute path, not '" + directory + "'");
        }
        if (Files.exists(directory) && !isEmptyDirectory(directory)) {
            throw new StorageException("the backup directory " + directory + " is not empty");
        }
        Path dataDir = storage.dataDir();
        if (directory.normalize().startsWith(dataDir)) {
            throw new StorageException("the backup directory " + directory + " is inside the data directory " + dataDir);
        }
        Job job = new Job(ids.incrementAndGet(), directory);
        jobs.put(job.id, job);
        thread.execute(() -> run(job, logs));
        return job.status();
    }

    public Optional<Status> status(long id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::status);
    }

    private void run(Job job, Predicate<String> names) {
        List<LogBackup> cuts = new ArrayList<>();
        try {
            Directories.createDurably(job.directory.resolve("metadata"));
            Directories.createDurably(job.directory.resolve("cursors"));
            Directories.createDurably(job.directory.resolve("logs"));
            // Definitions first, then acknowledgements, then the logs: see the class comment.
            storage.metadata().snapshotTo(job.directory.resolve("metadata").resolve("snapshot"));
            storage.cursors().snapshotTo(job.directory.resolve("cursors").resolve("snapshot"));
            for (Log log : storage.logs().open()) {
                if (names.test(log.name())) {
                    cuts.add(log.cutForBackup());
                }
            }
            job.cut = Instant.now();
            job.logs = cuts.size();
            job.bytesTotal = cuts.stream().mapToLong(LogBackup::bytes).sum();
            for (LogBackup cut : cuts) {
                Path target = job.directory.resolve("logs").resolve(cut.directoryName());
                try {
                    cut.copyTo(target, n -> {
                        if (closed) {
                            throw new CancellationException("the broker is stopping");
                        }
                        job.bytesCopied.addAndGet(n);
                    });
                } catch (ClosedChannelException deleted) {
                    // Its queue or stream was deleted during the backup; the backup goes on without it.
                    LOG.info("backup {}: log {} was deleted while it was copied and is left out", job.id, cut.name());
                    Directories.deleteRecursively(target);
                }
            }
            String manifest = "Wharf backup\ncut: " + job.cut + "\nlogs: " + job.logs + "\nbytes: " + job.bytesTotal + "\n";
            AtomicFile.write(job.directory.resolve(MANIFEST), manifest.getBytes(StandardCharsets.UTF_8));
            job.state = "done";
            LOG.info("backup {} into {}: {} log(s), {} bytes, cut at {}", job.id, job.directory, job.logs, job.bytesTotal, job.cut);
        } catch (IOException | RuntimeException e) {
            job.error = e instanceof CancellationException ? "the broker stopped before the backup was complete" : e.getMessage();
            job.state = "failed";
            LOG.warn("backup {} into {} failed: {}", job.id, job.directory, e.toString());
        } finally {
            cuts.forEach(LogBackup::close);
            job.finished = System.nanoTime();
        }
    }

    /**
     * Builds a data directory from a backup, for a broker that is not running: {@code dataDir}
     * must be missing or empty. Tells {@code copied} of each file's bytes as it copies them.
     *
     * @return the bytes copied
     * @throws StorageException if {@code backup} is not a complete backup or {@code dataDir} is not empty
     */
    public static long restore(Path backup, Path dataDir, Consumer<Long> copied) throws IOException {
        if (AtomicFile.read(backup.resolve(MANIFEST)).isEmpty()) {
            throw new StorageException(backup + " is not a complete Wharf backup: it has no " + MANIFEST + " file");
        }
        if (Files.exists(dataDir) && !isEmptyDirectory(dataDir)) {
            throw new StorageException("the data directory " + dataDir + " is not empty; restore into a new one");
        }
        Directories.createDurably(dataDir);
        AtomicLong bytes = new AtomicLong();
        Files.walkFileTree(backup, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Directories.createDurably(dataDir.resolve(backup.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.getParent().equals(backup) && file.getFileName().toString().equals(MANIFEST)) {
                    return FileVisitResult.CONTINUE;
                }
                Path to = dataDir.resolve(backup.relativize(file).toString());
                Files.copy(file, to);
                try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                bytes.addAndGet(attrs.size());
                copied.accept(attrs.size());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Directories.force(dataDir.resolve(backup.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
        return bytes.get();
    }

    /** Bytes of every file of a backup, for progress. */
    public static long sizeOf(Path backup) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(backup, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total.addAndGet(attrs.size());
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    /**
     * Ends a backup under way at its next 8 MiB and stops the thread. Interrupts nothing: an
     * interrupt would close the segment file the copy reads, which the log still uses.
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
