package io.wharf.core;

import io.wharf.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The broker core, free of any wire protocol: it owns the storage every queue and stream sits
 * on, and protocol adapters above it translate their frames into its operations.
 *
 * <p>{@link #open} starts it; {@link #close()} flushes and closes every log and store.
 * Thread-safe.
 */
public final class Broker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final Storage storage;
    private volatile Lifecycle state;

    private Broker(Storage storage) {
        this.storage = storage;
        this.state = Lifecycle.RUNNING;
    }

    /** Opens the broker's storage, recovering it if the last run did not stop cleanly. */
    public static Broker open(BrokerSettings settings) throws IOException {
        Storage storage = Storage.open(settings.storage());
        LOG.info("broker storage open in {}", storage.dataDir());
        return new Broker(storage);
    }

    public Storage storage() {
        return storage;
    }

    public Lifecycle state() {
        return state;
    }

    @Override
    public synchronized void close() throws IOException {
        if (state != Lifecycle.RUNNING) {
            return;
        }
        state = Lifecycle.CLOSING;
        try {
            storage.close();
            LOG.info("broker storage closed cleanly");
        } finally {
            state = Lifecycle.CLOSED;
        }
    }
}
