package io.wharf.management.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wharf.core.Broker;
import io.wharf.storage.Storage;
import io.wharf.storage.log.Log;
import io.wharf.storage.log.LogDamage;
import io.wharf.storage.log.LogEnvironment;
import io.wharf.storage.log.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The storage's meters: how long each fsync takes, the bytes of every log, the damage the logs
 * and stores skip, the free space of the data directory's disk and whether a resource alarm
 * blocks publishers.
 *
 * <p>Log bytes sum {@link Log#sizeInBytes()} over every log on disk, queue lanes and stream
 * partitions and the virtual hosts' own logs alike. The names of the logs are read from disk only
 * when queues or streams came or went since the last scrape ({@link #refresh(boolean)}), since
 * every log belongs to one of them or to a virtual host; a scrape itself only adds up sizes the
 * logs keep in memory.
 *
 * <p>Thread-safe; {@link BrokerMetrics} serialises {@link #refresh}.
 */
final class StorageMeters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageMeters.class);

    /** Below the fastest fsync of an NVMe disk, above a stalled one; outside it buckets only get coarser. */
    static final Duration FSYNC_MIN = Duration.ofNanos(50_000);
    static final Duration FSYNC_MAX = Duration.ofSeconds(5);

    private final LogEnvironment environment;
    private final LogManager logs;
    private final Storage storage;
    private volatile List<String> logNames = List.of();

    StorageMeters(Broker broker, MeterRegistry registry) {
        this.environment = broker.storage().environment();
        this.logs = broker.storage().logs();
        this.storage = broker.storage();
        Timer fsync = Timer.builder("wharf.storage.fsync")
                .description("Time each fsync of a log segment took")
                .publishPercentileHistogram()
                .minimumExpectedValue(FSYNC_MIN)
                .maximumExpectedValue(FSYNC_MAX)
                .register(registry);
        environment.onFsync(nanos -> fsync.record(nanos, TimeUnit.NANOSECONDS));
        Gauge.builder("wharf.storage.log", this, StorageMeters::logBytes).baseUnit("bytes")
                .description("Bytes of every log: queues, stream partitions and delayed messages")
                .strongReference(true).register(registry);
        Gauge.builder("wharf.storage.damaged.ranges", this, m -> m.storage.damage().size())
                .description("Damaged stretches the logs and stores skip, found at start-up, by reads or by a scrub")
                .strongReference(true).register(registry);
        Gauge.builder("wharf.storage.damaged.messages", this, m -> m.storage.damage().stream().mapToLong(LogDamage::offsets).sum())
                .description("Messages (offsets) in damaged stretches, which reads skip")
                .strongReference(true).register(registry);
        Gauge.builder("wharf.storage.damaged", this, m -> m.storage.damage().stream().mapToLong(LogDamage::bytes).sum())
                .baseUnit("bytes").description("Bytes of damaged stretches, which reads skip")
                .strongReference(true).register(registry);
        Gauge.builder("wharf.resource.alarm", broker.alarms(), a -> a.blockedReason() == null ? 0 : 1)
                .description("1 while a memory or disk alarm blocks publishers, else 0").register(registry);
        diskOf(broker).ifPresent(disk -> Gauge.builder("wharf.disk.free", disk, StorageMeters::usableSpace)
                .baseUnit("bytes").description("Free bytes on the disk of the data directory")
                .strongReference(true).register(registry));
        refresh(true);
    }

    /** @param logsChanged whether queues or streams came or went since the last refresh */
    void refresh(boolean logsChanged) {
        if (!logsChanged) {
            return;
        }
        try {
            logNames = List.copyOf(logs.onDisk().keySet());
        } catch (IOException e) {
            LOG.warn("cannot list the logs on disk, log bytes may be stale: {}", e.toString());
        }
    }

    private double logBytes() {
        long total = 0;
        for (String name : logNames) {
            Optional<Log> log = logs.get(name);
            if (log.isPresent()) {
                total += log.get().sizeInBytes();
            }
        }
        return total;
    }

    private static Optional<FileStore> diskOf(Broker broker) {
        try {
            return Optional.of(Files.getFileStore(broker.storage().dataDir()));
        } catch (IOException e) {
            LOG.warn("cannot find the disk of {}, no free-space metric: {}", broker.storage().dataDir(), e.toString());
            return Optional.empty();
        }
    }

    private static double usableSpace(FileStore disk) {
        try {
            return disk.getUsableSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Stops timing fsyncs; the registry's owner removes the meters. */
    @Override
    public void close() {
        environment.onFsync(nanos -> { });
    }
}
