package io.wharf.test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Programs and libraries some tests drive (a browser, kcat, other languages' Kafka clients),
 * installed by one of the repository's scripts, from Debian's packages or npm, when they are
 * missing. A test that cannot get them fails with the script's message; it is never skipped.
 */
public final class DebianTools {

    private DebianTools() {
    }

    /**
     * Runs {@code script} (a path from the repository's root, such as {@code scripts/kcat.sh})
     * unless every one of {@code files} is there already, and checks that they are after.
     */
    public static void ensure(String script, Path... files) {
        if (allPresent(files)) {
            return;
        }
        // Test JVMs running side by side install one at a time: the package manager takes one
        // installer at a time, and what another JVM installed meanwhile need not be installed again.
        try (FileChannel lock = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "wharf-test-install.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = lock.lock()) {
            if (!allPresent(files)) {
                install(script, files);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not take the install lock for " + script, e);
        }
        if (!allPresent(files)) {
            throw new IllegalStateException(script + " succeeded but one of " + Arrays.toString(files) + " is missing");
        }
    }

    private static void install(String script, Path... files) {
        Path path = repositoryRoot(script).resolve(script);
        try {
            // The test JVM's own standard streams carry the test runner's protocol: the script
            // must neither read from them nor write into them, so it writes to a file of its own.
            Path output = Files.createTempFile("wharf-install-", ".log");
            Process install = new ProcessBuilder("bash", path.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            install.getOutputStream().close();
            if (!install.waitFor(15, TimeUnit.MINUTES)) {
                install.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within 15 minutes:\n" + tail(output));
            }
            if (install.exitValue() != 0) {
                throw new IllegalStateException(script + " could not install " + Arrays.toString(files)
                        + " (exit " + install.exitValue() + "):\n" + tail(output));
            }
            Files.deleteIfExists(output);
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    /** The last lines a script printed, for the message of the failure it caused. */
    private static String tail(Path output) throws IOException {
        List<String> lines = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static boolean allPresent(Path... files) {
        return Arrays.stream(files).allMatch(Files::exists);
    }

    /** The directory holding {@code script}: the working directory or one of its parents. */
    private static Path repositoryRoot(String script) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(script))) {
                return dir;
            }
        }
        throw new IllegalStateException(script + " was not found above " + Path.of("").toAbsolutePath());
    }
}
