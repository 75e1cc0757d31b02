package io.wharf.test;

import io.wharf.storage.file.Directories;
import io.wharf.storage.file.FaultyFileChannels;
import io.wharf.storage.file.FileChannelFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A disk a test can fill up: a small tmpfs mounted for the test where this process may mount
 * one (root on Linux), so a full disk is the kernel's own ENOSPC; elsewhere an ordinary directory
 * whose storage writes go through {@link FaultyFileChannels}, which fail as a full disk does.
 * Either way {@link #fill()} leaves no room for the next write and {@link #free()} gives it back.
 *
 * <p>Registered as an extension before the broker's, it is taken down after the broker stops.
 * Not thread-safe.
 */
public final class SmallDisk implements AutoCloseable, AfterAllCallback {

    private final Path dir;
    private final boolean mounted;
    private final FaultyFileChannels faults = new FaultyFileChannels();
    private Path ballast;

    private SmallDisk(Path dir, boolean mounted) {
        this.dir = dir;
        this.mounted = mounted;
    }

    /**
     * A disk of {@code megabytes} MiB under a new temporary directory. {@code -Dwharf.small-disk.mount=false}
     * takes the fault-injection path even where mounting would work.
     */
    public static SmallDisk create(int megabytes) {
        try {
            Path dir = Files.createTempDirectory("wharf-small-disk");
            boolean mounted = Boolean.parseBoolean(System.getProperty("wharf.small-disk.mount", "true")) && run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
            return new SmallDisk(dir, mounted);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    public Path dir() {
        return dir;
    }

    /** Whether the disk is a real, mounted file system of its own. */
    public boolean mounted() {
        return mounted;
    }

    /** How storage must open its files on this disk. */
    public FileChannelFactory channels() {
        return mounted ? FileChannelFactory.DEFAULT : faults;
    }

    /** Takes every free byte, so the next write that needs room fails with ENOSPC. */
    public void fill() throws IOException {
        if (!mounted) {
            faults.diskFull(true);
            return;
        }
        ballast = dir.resolve("ballast");
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // The disk is full now, which is the point.
        }
        // Whatever is left is smaller than a megabyte: take it byte by byte.
        try (OutputStream out = Files.newOutputStream(ballast, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(chunk, 0, 4096);
                out.flush();
            }
        } catch (IOException full) {
            // full
        }
    }

    /** Gives the space back. */
    public void free() throws IOException {
        faults.diskFull(false);
        if (ballast != null) {
            Files.deleteIfExists(ballast);
            ballast = null;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted) {
            run("umount", "-l", dir.toString());
        }
        Directories.deleteRecursively(dir);
    }
}
