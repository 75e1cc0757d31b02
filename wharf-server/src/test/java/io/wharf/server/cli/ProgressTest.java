package io.wharf.server.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    private final StringWriter err = new StringWriter();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private Progress progress(boolean enabled) {
        return new Progress(new PrintWriter(err), enabled, now::get, Duration.ofSeconds(1));
    }

    @Test
    void shouldPrintNothingForAnInputShorterThanOneInterval() {
        Progress progress = progress(true);

        for (int i = 1; i <= 500; i++) {
            now.addAndGet(1_000_000);
            progress.update(i, i);
        }

        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldPrintOneLinePerIntervalWithTheRateSinceTheLastLine() {
        Progress progress = progress(true);

        for (int i = 1; i <= 3000; i++) {
            now.addAndGet(1_000_000);
            progress.update(i, i - 1);
        }

        assertThat(err.toString().lines()).containsExactly(
                "published 1000 (999 routed), 1000/s, 1s elapsed",
                "published 2000 (1999 routed), 1000/s, 2s elapsed",
                "published 3000 (2999 routed), 1000/s, 3s elapsed");
    }

    @Test
    void shouldPrintNothingWhenDisabled() {
        Progress progress = progress(false);

        now.addAndGet(Duration.ofMinutes(1).toNanos());
        progress.update(10, 10);

        assertThat(err.toString()).isEmpty();
    }
}
