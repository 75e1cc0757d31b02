package io.wharf.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
        Path path = repositoryRoot(script).resolve(script);
        try {
            Process install = new ProcessBuilder("bash", path.toString()).inheritIO().start();
            if (!install.waitFor(15, TimeUnit.MINUTES)) {
                install.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within 15 minutes");
            }
            if (install.exitValue() != 0) {
                throw new IllegalStateException(script + " could not install " + Arrays.toString(files)
                        + " (exit " + install.exitValue() + "); see its message above");
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
        if (!allPresent(files)) {
            throw new IllegalStateException(script + " succeeded but one of " + Arrays.toString(files) + " is missing");
        }
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
