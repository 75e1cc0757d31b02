package io.wharf.it.console;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.ThrowingRunnable;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console as a test sees it: pages by route, elements by CSS selector, and waits on what
 * the page shows. Every wait retries until the console's next poll has updated the page, so a test
 * never reloads and never sleeps.
 */
final class Console {

    /** Several of the console's polls (every 3 s) and the API's 5 s rate interval fit in it. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final WebDriver driver;
    private final String base;
    private final Path screenshots;

    /** screenshots: where {@link #screenshot} saves PNGs, or null to save none. */
    Console(WebDriver driver, int httpPort, Path screenshots) {
        this.driver = driver;
        this.base = "http://127.0.0.1:" + httpPort + "/";
        this.screenshots = screenshots;
    }

    /** Opens a route such as {@code "queues"} or {@code "queues/%2F/orders"}. */
    void open(String route) {
        driver.get(base + "#/" + route);
    }

    /** Signs in and waits for the overview. */
    void signIn(String user, String password) {
        submitLogin(user, password);
        awaitText("#page-title", "Overview");
    }

    void submitLogin(String user, String password) {
        open("login");
        type("#login-user", user);
        type("#login-password", password);
        click("#login-submit");
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    String text(String css) {
        return find(css).getText().trim();
    }

    void type(String css, String text) {
        WebElement input = find(css);
        input.clear();
        input.sendKeys(text);
    }

    void select(String css, String value) {
        new Select(find(css)).selectByValue(value);
    }

    void click(String css) {
        waitFor("a click on " + css, () -> find(css).click());
    }

    /** Accepts the confirm() dialog the last click opened. */
    void acceptConfirm() {
        waitFor("a confirm dialog", () -> driver.switchTo().alert().accept());
    }

    /** Waits until the element's text is {@code expected}. */
    void awaitText(String css, String expected) {
        waitFor(css + " to read '" + expected + "'", () -> assertThat(text(css)).isEqualTo(expected));
    }

    /** Waits until the element exists and its text passes the assertions. */
    void awaitText(String css, Consumer<String> assertions) {
        waitFor(css + " to read as expected", () -> assertions.accept(text(css)));
    }

    void awaitPresent(String css) {
        waitFor(css + " to be on the page", () -> assertThat(findAll(css)).isNotEmpty());
    }

    void awaitAbsent(String css) {
        waitFor(css + " to leave the page", () -> assertThat(findAll(css)).isEmpty());
    }

    /** Waits until a chart has drawn at least {@code points} polls. */
    void awaitChartPoints(String chartId, int points) {
        waitFor(chartId + " to have " + points + " points", PATIENCE.multipliedBy(2), () ->
                assertThat(Integer.parseInt(find("#" + chartId).getDomAttribute("data-points"))).isGreaterThanOrEqualTo(points));
    }

    private void waitFor(String what, ThrowingRunnable check) {
        waitFor(what, PATIENCE, check);
    }

    /**
     * Retries {@code check} until it passes; on time-out the failure names what was awaited, the
     * last reason it failed, and the error the console showed, if any.
     */
    private void waitFor(String what, Duration patience, ThrowingRunnable check) {
        AtomicReference<Throwable> last = new AtomicReference<>();
        try {
            await().atMost(patience).until(() -> {
                try {
                    check.run();
                    return true;
                } catch (Throwable t) {
                    last.set(t);
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            List<WebElement> banner = findAll("#error:not([hidden])");
            String shown = banner.isEmpty() ? "" : "; the console shows: " + banner.getFirst().getText();
            AssertionError failure = new AssertionError("waited " + patience.toSeconds() + " s for " + what
                    + " at " + driver.getCurrentUrl() + shown + "; last: " + last.get());
            if (last.get() != null) {
                failure.initCause(last.get());
            }
            throw failure;
        }
    }

    boolean savesScreenshots() {
        return screenshots != null;
    }

    /** Saves the page as console-{name}.png when screenshots were asked for. */
    void screenshot(String name) {
        if (screenshots == null) {
            return;
        }
        // The whole page, not only the first screenful: the window grows to the page's height.
        Dimension window = driver.manage().window().getSize();
        long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.max(window.getHeight(), height + 250)));
        try {
            Files.createDirectories(screenshots);
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(screenshots.resolve("console-" + name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(window);
        }
    }
}
