package io.wharf.server.config;

import io.wharf.storage.Storage;
import io.wharf.storage.file.FileChannelFactory;
import io.wharf.storage.log.FsyncPolicy;
import io.wharf.storage.log.LogConfig;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Wharf's validated configuration. Built only by {@link ConfigLoader}, which fills every key from
 * the defaults, the configuration file, the environment and explicit overrides, and rejects
 * anything out of range; see docs/configuration.md for each key.
 *
 * @param dataDir where all durable data lives
 * @param storage how logs are written and kept
 * @param http    the HTTP listener
 * @param logging log output
 */
public record WharfConfig(Path dataDir, StorageConfig storage, HttpConfig http, LoggingConfig logging) {

    /**
     * @param fsync                  when appends are forced to disk before they are acknowledged
     * @param writerThreads          threads writing and forcing logs
     * @param segmentSize            size at which a log segment is rolled
     * @param segmentAge             age at which a log segment is rolled
     * @param indexInterval          bytes between sparse index entries
     * @param preallocate            zero-fill segment space ahead of the writer
     * @param retentionCheckInterval how often retention limits are applied
     */
    public record StorageConfig(FsyncPolicy fsync, int writerThreads, ByteSize segmentSize, Duration segmentAge,
                                ByteSize indexInterval, boolean preallocate, Duration retentionCheckInterval) {
    }

    /**
     * @param host interface to listen on
     * @param port port to listen on; 0 picks a free one
     */
    public record HttpConfig(String host, int port) {
    }

    /** @param level the root log level */
    public record LoggingConfig(String level) {
    }

    /** The storage options this configuration describes. */
    public Storage.Options storageOptions() {
        LogConfig logs = LogConfig.DEFAULT
                .withSegmentBytes((int) storage.segmentSize().bytes())
                .withSegmentMs(storage.segmentAge().toMillis())
                .withIndexIntervalBytes((int) storage.indexInterval().bytes())
                .withFsync(storage.fsync())
                .withPreallocate(storage.preallocate());
        return new Storage.Options(dataDir, storage.writerThreads(), logs, storage.retentionCheckInterval(),
                Clock.systemUTC(), FileChannelFactory.DEFAULT);
    }
}
