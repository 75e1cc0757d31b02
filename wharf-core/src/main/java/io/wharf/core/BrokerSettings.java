package io.wharf.core;

import io.wharf.core.auth.UserStore;
import io.wharf.storage.Storage;
import io.wharf.storage.file.FileChannelFactory;
import io.wharf.storage.log.LogConfig;

import java.util.List;

/**
 * What the broker core needs to start, already validated by whoever built it.
 *
 * @param storage             where and how the broker keeps its data
 * @param vhosts              the virtual hosts to open
 * @param users               who may connect, with what permissions
 * @param queueSegmentBytes   segment size of queue logs (queues delete whole segments once acknowledged)
 * @param messageCacheBytes   the most message bytes all queues together keep in memory ahead of delivery
 * @param memoryHighWatermark fraction of the heap in use after collection that blocks publishers
 * @param diskFreeLimit       free disk bytes below which publishers are blocked
 */
public record BrokerSettings(Storage.Options storage, List<String> vhosts, List<UserStore.Credentials> users,
                             int queueSegmentBytes, long messageCacheBytes, double memoryHighWatermark,
                             long diskFreeLimit) {

    /** Defaults for tests and embedding: vhost "/", user guest/guest from loopback only. */
    /** The same settings with storage writing through {@code channels}, as tests that inject disk faults use. */
    public BrokerSettings withStorageChannels(FileChannelFactory channels) {
        return new BrokerSettings(storage.withChannels(channels), vhosts, users, queueSegmentBytes, messageCacheBytes,
                memoryHighWatermark, diskFreeLimit);
    }

    public static BrokerSettings defaults(Storage.Options storage) {
        return new BrokerSettings(storage, List.of("/"), List.of(Users.guest()), 64 << 20, 64L << 20, 0.9, 50L << 20);
    }

    /** The log configuration of durable queues, derived from the storage defaults. */
    public LogConfig durableQueueLogs() {
        return storage.logDefaults().withSegmentBytes(Math.min(queueSegmentBytes, storage.logDefaults().segmentBytes()));
    }
}
