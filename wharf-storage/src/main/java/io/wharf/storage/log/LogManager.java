package io.wharf.storage.log;

import io.wharf.storage.StorageException;
import io.wharf.storage.file.AtomicFile;
import io.wharf.storage.file.Directories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The named logs under one directory: queues and stream partitions each get one, in a
 * sub-directory whose name is derived from the log's name. Applies retention periodically and
 * closes every log on {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class LogManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    private static final String NAME_FILE = "log.name";
    private static final String DELETING = ".deleting";
    private static final int MAX_DIR_NAME = 200;

    private final Path root;
    private final LogEnvironment env;
    private final LogConfig defaults;
    private final Map<String, Log> logs = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> retention;
    private volatile boolean closed;

    public LogManager(Path root, LogEnvironment env, LogConfig defaults, Duration retentionCheckInterval) throws IOException {
        this.root = root;
        this.env = env;
        this.defaults = defaults;
        Directories.createDurably(root);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, "*" + DELETING)) {
            for (Path d : dirs) {
                Directories.deleteRecursively(d);
            }
        }
        long every = retentionCheckInterval.toMillis();
        this.retention = env.scheduler().scheduleWithFixedDelay(this::applyRetention, every, every, TimeUnit.MILLISECONDS);
    }

    public LogConfig defaults() {
        return defaults;
    }

    /** Opens the named log with the default configuration, creating it if needed. */
    public Log open(String name) {
        return open(name, defaults);
    }

    /**
     * Opens the named log, creating it if needed. A log already open is returned as it is,
     * whatever {@code config} says.
     */
    public Log open(String name, LogConfig config) {
        if (closed) {
            throw new LogClosedException("the log manager is closed");
        }
        return logs.computeIfAbsent(name, n -> {
            try {
                Path dir = root.resolve(directoryName(n));
                Path nameFile = dir.resolve(NAME_FILE);
                if (!Files.exists(nameFile)) {
                    Directories.createDurably(dir);
                    AtomicFile.write(nameFile, n.getBytes(StandardCharsets.UTF_8));
                }
                return Log.open(n, dir, config, env);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open log " + n, e);
            }
        });
    }

    /** Every log open now. */
    public Collection<Log> open() {
        return List.copyOf(logs.values());
    }

    public Optional<Log> get(String name) {
        return Optional.ofNullable(logs.get(name));
    }

    /** Names of every log on disk, open or not, with their directories. */
    public Map<String, Path> onDisk() throws IOException {
        Map<String, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path d : dirs) {
                if (d.getFileName().toString().endsWith(DELETING)) {
                    continue;
                }
                try {
                    AtomicFile.read(d.resolve(NAME_FILE)).ifPresent(n -> found.put(new String(n, StandardCharsets.UTF_8), d));
                } catch (StorageException damaged) {
                    LOG.warn("{}: the log in {} cannot be named and is left alone: {}", root, d, damaged.getMessage());
                }
            }
        }
        return found;
    }

    /** Closes and removes the named log; the removal survives a crash half-way. */
    public void delete(String name) throws IOException {
        Log log = logs.remove(name);
        if (log != null) {
            log.close();
        }
        Path dir = root.resolve(directoryName(name));
        if (!Files.exists(dir)) {
            return;
        }
        Path doomed = root.resolve(dir.getFileName() + "." + System.nanoTime() + DELETING);
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        Directories.force(root);
        Directories.deleteRecursively(doomed);
    }

    private void applyRetention() {
        for (Log log : logs.values()) {
            try {
                log.applyRetention();
            } catch (IOException | StorageException e) {
                LOG.warn("log {}: retention failed: {}", log.name(), e.toString());
            }
        }
    }

    /**
     * A directory name for a log name: safe characters kept, others percent-encoded, and long
     * names shortened with a hash so they stay within file-system limits.
     */
    static String directoryName(String name) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            boolean safe = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '_' || (b == '.' && i > 0);
            if (safe) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        if (sb.length() <= MAX_DIR_NAME) {
            return sb.toString();
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return sb.substring(0, 100) + "~" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Closes every log, collecting failures; the environment is the caller's to close. */
    @Override
    public void close() throws IOException {
        closed = true;
        retention.cancel(false);
        IOException first = null;
        for (Log log : logs.values()) {
            try {
                log.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        logs.clear();
        if (first != null) {
            throw first;
        }
    }
}
