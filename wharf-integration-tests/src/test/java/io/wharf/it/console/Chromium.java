package io.wharf.it.console;

import io.wharf.test.DebianTools;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.OutputStream;
import java.nio.file.Path;
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
        DebianTools.ensure("scripts/browser.sh", CHROMIUM, CHROMEDRIVER);
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
}
