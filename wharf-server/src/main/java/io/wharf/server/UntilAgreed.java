package io.wharf.server;

import io.wharf.storage.concurrent.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Something a node of a cluster does at start that needs the cluster's agreement, done in the
 * background and tried again every few seconds until it succeeds: a node starts before a majority
 * of its cluster may run, and must, for one to run.
 *
 * <p>Threading: one named thread per task, stopped by {@link #close} (when the server closes) or
 * once the task has succeeded.
 */
final class UntilAgreed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UntilAgreed.class);
    private static final long RETRY_SECONDS = 5;

    /** One try; throws to be tried again. */
    interface Attempt {
        void run() throws Exception;
    }

    private final ScheduledExecutorService tries;

    private UntilAgreed(String thread) {
        this.tries = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory(thread, true));
    }

    /** Starts trying {@code attempt}, described as {@code what} in the log, on a thread named after {@code thread}. */
    static UntilAgreed start(String thread, String what, Attempt attempt) {
        UntilAgreed u = new UntilAgreed(thread);
        u.tries.execute(new Runnable() {
            @Override
            public void run() {
                try {
                    attempt.run();
                    LOG.info("{}: done", what);
                    u.tries.shutdown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn("{}: {}; trying again in {} s", what, e.getMessage(), RETRY_SECONDS);
                    u.tries.schedule(this, RETRY_SECONDS, TimeUnit.SECONDS);
                }
            }
        });
        return u;
    }

    @Override
    public void close() {
        tries.shutdownNow();
    }
}
