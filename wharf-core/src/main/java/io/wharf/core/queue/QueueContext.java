package io.wharf.core.queue;

import io.wharf.core.stream.StreamReplication;
import io.wharf.storage.cursor.CursorStore;
import io.wharf.storage.log.LogConfig;
import io.wharf.storage.log.LogManager;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every queue and stream of a broker shares: storage, the pool their owners run on, the pool
 * that reads streams for consumers, a timer, and the memory budget for messages held ahead of
 * delivery.
 *
 * @param logs           where queue logs live
 * @param cursors        where durable queues persist acknowledgements
 * @param pool           the threads queue actors run on
 * @param reads          the threads that read streams' logs for consumers, so that no network
 *                       thread and no log writer ever waits on a disk read
 * @param timers         schedules expiry checks
 * @param clock          time for TTLs and expiry
 * @param durableLogs    configuration of durable queues' logs
 * @param transientLogs  configuration of other queues' logs
 * @param cacheBytes     bytes of messages currently held in memory by all queues
 * @param cacheLimit     the most bytes all queues together hold in memory
 * @param streams        where stream partitions make their changes: here, or through a cluster
 */
public record QueueContext(LogManager logs, CursorStore cursors, Executor pool, Executor reads,
                           ScheduledExecutorService timers,
                           Clock clock, LogConfig durableLogs, LogConfig transientLogs, AtomicLong cacheBytes,
                           long cacheLimit, StreamReplication streams) {
}
