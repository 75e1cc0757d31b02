package io.wharf.it.console;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts headless Chromium under ChromeDriver for the console tests: Debian's packages at their
 * usual places (or the paths in the system properties {@code wharf.chromium} and
 * {@code wharf.chromedriver}), installed by {@code scripts/browser.sh} when they are missing.
 * Both executables are given explicitly, so Selenium Manager never runs and nothing is downloaded.
 */
final class Chromium {

    private static final Path CHROMIUM = Path.of(System.getProperty("wharf.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("wharf.chromedriver", "/usr/bin/chromedriver"));

    // Selenium looks for DevTools bindings of this Chromium's version and warns that it has none;
    // the tests use WebDriver only. Held here so the setting is not collected with the logger.
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
    }

    private Chromium() {
    }

    /** A new browser with its profile in {@code profile}; the caller quits it. */
    static ChromeDriver start(Path profile) {
        ensureInstalled();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                        "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        return new ChromeDriver(service, options);
    }

    private static void ensureInstalled() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        Path script = repositoryRoot().resolve("scripts/browser.sh");
        try {
            Process install = new ProcessBuilder("bash", script.toString()).inheritIO().start();
            if (!install.waitFor(15, TimeUnit.MINUTES)) {
                install.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within 15 minutes");
            }
            if (install.exitValue() != 0) {
                throw new IllegalStateException(script + " could not install Chromium and ChromeDriver (exit "
                        + install.exitValue() + "); see its message above");
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the browser", e);
        }
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException(script + " succeeded but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
        }
    }

    /** The directory holding scripts/browser.sh: the working directory or one of its parents. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts/browser.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("scripts/browser.sh was not found above " + Path.of("").toAbsolutePath());
    }
}
