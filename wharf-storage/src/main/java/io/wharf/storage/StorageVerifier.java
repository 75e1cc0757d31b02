package io.wharf.storage;

import io.wharf.storage.file.AtomicFile;
import io.wharf.storage.log.LogVerifier;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks a whole data directory while no broker uses it, reading only: every log of
 * {@code logs/} and the journals of {@code cursors/} and {@code metadata/} with
 * {@link LogVerifier}, and the stores' snapshots against their checksums. {@code wharf storage
 * verify --data-dir D} runs it; a running broker checks itself with its {@link StorageScrubber}.
 */
public final class StorageVerifier {

    /**
     * What a verification found.
     *
     * @param findings     every problem, damage or not
     * @param logsChecked  logs walked, the stores' journals included
     * @param bytesChecked bytes read
     */
    public record Report(List<LogVerifier.Finding> findings, int logsChecked, long bytesChecked) {

        /** True when no data is lost: what is listed, if anything, the next start repairs. */
        public boolean isClean() {
            return findings.stream().noneMatch(LogVerifier.Finding::damage);
        }
    }

    private StorageVerifier() {
    }

    /**
     * Verifies {@code dataDir}, telling {@code progress} the name of each log as it starts on it.
     *
     * @throws StorageException if a broker is using the directory
     */
    public static Report verify(Path dataDir, Consumer<String> progress) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            throw new StorageException(dataDir + " is not a directory");
        }
        try (FileChannel lockFile = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                throw new StorageException("the data directory " + dataDir + " is in use by a running broker; "
                        + "ask it instead (POST /api/storage/verify), or stop it first");
            }
            Throttle throttle = Throttle.unlimited();
            List<LogVerifier.Finding> findings = new ArrayList<>();
            int logs = 0;
            List<Path> logDirs = new ArrayList<>();
            Path logsRoot = dataDir.resolve("logs");
            if (Files.isDirectory(logsRoot)) {
                try (DirectoryStream<Path> dirs = Files.newDirectoryStream(logsRoot, Files::isDirectory)) {
                    dirs.forEach(logDirs::add);
                }
            }
            logDirs.sort(null);
            for (String store : List.of("cursors", "metadata")) {
                Path journal = dataDir.resolve(store).resolve("journal");
                if (Files.isDirectory(journal)) {
                    logDirs.add(journal);
                }
                for (String snapshot : List.of("snapshot", "snapshot.previous")) {
                    Path file = dataDir.resolve(store).resolve(snapshot);
                    try {
                        AtomicFile.read(file).ifPresent(b -> throttle.acquire(b.length));
                    } catch (IOException | RuntimeException e) {
                        findings.add(new LogVerifier.Finding(file, "damaged: " + e.getMessage()
                                + "; the store falls back to its other snapshot and its journal", -1, -1, -1, -1, true));
                    }
                }
            }
            for (Path dir : logDirs) {
                progress.accept(dataDir.relativize(dir).toString());
                findings.addAll(LogVerifier.verify(dir, throttle));
                logs++;
            }
            return new Report(List.copyOf(findings), logs, throttle.bytes());
        }
    }

    private static FileLock tryLock(FileChannel lockFile) throws IOException {
        try {
            return lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }
}
