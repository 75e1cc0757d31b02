package io.wharf.protocol.common;

import io.wharf.storage.StorageException;
import io.wharf.storage.log.LogWriteException;
import org.slf4j.Logger;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes the broker could not store, as a connection reports them: each protocol answers with
 * its own storage error, and the connection logs the first failure of a run once, with the
 * storage's reason, and the first success after it, rather than a line per message of a burst.
 *
 * <p>Thread-safe: stores complete on storage threads.
 */
public final class StorageFailures {

    private final Logger log;
    private final String connection;
    private final AtomicBoolean failing = new AtomicBoolean();

    /** @param connection how log lines name the connection, such as {@code "AMQP connection 127.0.0.1:5000 -> ..."} */
    public StorageFailures(Logger log, String connection) {
        this.log = log;
        this.connection = connection;
    }

    /** The storage failure behind {@code e}, or null if the failure was something else. */
    public static StorageException storageCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageException s) {
                return s;
            }
            if (!(t instanceof CompletionException || t instanceof ExecutionException)) {
                return null;
            }
        }
        return null;
    }

    /** Whether {@code e} failed because the disk is full, a condition that clears once space is freed. */
    public static boolean diskFull(Throwable e) {
        return storageCause(e) instanceof LogWriteException w && w.diskFull();
    }

    /** A publish was not stored; logs it if it starts a run of failures. */
    public void failed(Throwable e, String answer) {
        if (failing.compareAndSet(false, true)) {
            StorageException cause = storageCause(e);
            log.warn("{}: publishes are not stored ({}), {}; further failures are not logged until one is stored",
                    connection, cause != null ? cause.getMessage() : String.valueOf(e), answer);
        }
    }

    /** A publish was stored; ends a run of failures. */
    public void stored() {
        if (failing.compareAndSet(true, false)) {
            log.info("{}: publishes are stored again", connection);
        }
    }
}
