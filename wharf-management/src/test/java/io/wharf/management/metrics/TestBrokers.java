package io.wharf.management.metrics;

import io.wharf.core.Broker;
import io.wharf.core.BrokerSettings;
import io.wharf.core.auth.Client;
import io.wharf.storage.Storage;
import io.wharf.storage.log.LogConfig;

import java.io.IOException;
import java.nio.file.Path;

/** Brokers for metrics tests: the defaults, with segments small enough for a temporary directory. */
final class TestBrokers {

    private TestBrokers() {
    }

    static Broker open(Path dir) throws IOException {
        Storage.Options defaults = Storage.Options.defaults(dir);
        // Every log preallocates a segment, and the default size is meant for production disks.
        Storage.Options storage = new Storage.Options(dir, 2, LogConfig.DEFAULT.withSegmentBytes(1 << 20),
                defaults.retentionCheckInterval(), defaults.clock(), defaults.channels(), defaults.scrubInterval(),
                defaults.scrubBytesPerSecond());
        return Broker.open(BrokerSettings.defaults(storage));
    }

    /** The default user, as a protocol adapter would present it. */
    static Client guest(Broker broker) {
        return new Client(broker.users().get("guest").orElseThrow(), new Object(), "metrics test");
    }
}
