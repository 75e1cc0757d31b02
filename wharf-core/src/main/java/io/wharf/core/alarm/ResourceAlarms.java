package io.wharf.core.alarm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches memory and disk and raises an alarm when either runs short, so protocol adapters can
 * stop publishers (AMQP connection.blocked) before the broker runs out: heap still in use after
 * the last garbage collection above the high watermark, or free space on the data directory's
 * disk below the limit.
 *
 * <p>Owned by the scheduler's thread: checks, and the changes of limits at run time, run there
 * and nowhere else, and listeners are called there and must not block. {@link #blockedReason()}
 * may be read from any thread.
 */
public final class ResourceAlarms implements AutoCloseable {

    /** Told when the alarm state changes. */
    public interface Listener {
        /** @param reason why publishing is blocked, or null when it no longer is */
        void alarmChanged(String reason);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ResourceAlarms.class);

    private double memoryHighWatermark;
    private long diskFreeLimit;
    private final FileStore disk;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final ScheduledFuture<?> task;
    private volatile String reason;

    /**
     * @param memoryHighWatermark fraction of the maximum heap (0 to 1) that, in use after a
     *                            collection, raises the memory alarm
     * @param diskFreeLimit       free bytes below which the disk alarm is raised
     */
    public ResourceAlarms(Path dataDir, double memoryHighWatermark, long diskFreeLimit, ScheduledExecutorService scheduler,
                          long checkEveryMs) throws IOException {
        this.memoryHighWatermark = memoryHighWatermark;
        this.diskFreeLimit = diskFreeLimit;
        this.disk = Files.getFileStore(dataDir);
        this.scheduler = scheduler;
        // Before the first scheduled check, so no other thread can run one yet.
        check();
        this.task = scheduler.scheduleWithFixedDelay(this::check, checkEveryMs, checkEveryMs, TimeUnit.MILLISECONDS);
    }

    /** Why publishing is blocked now, or null. */
    public String blockedReason() {
        return reason;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /**
     * Changes the free-disk limit at run time (as RabbitMQ's set_disk_free_limit) and checks at
     * once; completes when the check has run and listeners have been told.
     */
    public CompletableFuture<Void> setDiskFreeLimit(long bytes) {
        return CompletableFuture.runAsync(() -> {
            diskFreeLimit = bytes;
            check();
        }, scheduler);
    }

    /** Changes the memory high watermark at run time and checks at once, as {@link #setDiskFreeLimit} does. */
    public CompletableFuture<Void> setMemoryHighWatermark(double fraction) {
        return CompletableFuture.runAsync(() -> {
            memoryHighWatermark = fraction;
            check();
        }, scheduler);
    }

    private void check() {
        String now = null;
        try {
            long free = disk.getUsableSpace();
            if (free < diskFreeLimit) {
                now = "low on disk: " + free + " bytes free, the limit is " + diskFreeLimit;
            }
        } catch (IOException e) {
            LOG.warn("cannot read free disk space: {}", e.toString());
        }
        double heap = heapInUseAfterCollection();
        if (now == null && heap > memoryHighWatermark) {
            now = String.format("low on memory: %.0f%% of the heap in use after collection, the watermark is %.0f%%",
                    heap * 100, memoryHighWatermark * 100);
        }
        String before = reason;
        if ((before == null) != (now == null)) {
            reason = now;
            if (now != null) {
                LOG.warn("resource alarm: {}; publishers are blocked", now);
            } else {
                LOG.info("resource alarm cleared; publishers may publish again");
            }
            for (Listener l : listeners) {
                try {
                    l.alarmChanged(now);
                } catch (RuntimeException e) {
                    LOG.warn("an alarm listener failed", e);
                }
            }
        } else {
            reason = now;
        }
    }

    private static double heapInUseAfterCollection() {
        long used = 0;
        long max = Runtime.getRuntime().maxMemory();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
                MemoryUsage u = pool.getCollectionUsage();
                if (u != null) {
                    used += u.getUsed();
                }
            }
        }
        return max <= 0 ? 0 : (double) used / max;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
