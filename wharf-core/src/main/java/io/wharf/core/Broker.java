package io.wharf.core;

import io.wharf.core.alarm.ResourceAlarms;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.cluster.ClusterNodes;
import io.wharf.core.cluster.NodeRegistration;
import io.wharf.core.connection.ClientConnections;
import io.wharf.core.auth.User;
import io.wharf.core.auth.UserStore;
import io.wharf.core.session.Authentication;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueContext;
import io.wharf.core.stream.StreamReplication;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.core.vhost.MetadataApplier;
import io.wharf.core.vhost.PartitionApplier;
import io.wharf.core.vhost.MetadataCommandCodec;
import io.wharf.core.vhost.VirtualHosts;
import io.wharf.storage.Storage;
import io.wharf.storage.StorageBackups;
import io.wharf.storage.concurrent.NamedThreadFactory;
import io.wharf.storage.log.FsyncPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongFunction;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker core, free of any wire protocol: virtual hosts with their exchanges, queues and
 * bindings, the users who may use them, and the storage they sit on. Protocol adapters translate
 * their frames into its operations.
 *
 * <p>{@link #open} recovers everything durable; {@link #close()} stops the queues, then flushes
 * and closes every log and store. Thread-safe.
 */
public final class Broker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final Storage storage;
    private final UserStore users;
    private final Authentication authentication;
    private final VirtualHosts vhosts;
    private final ResourceAlarms alarms;
    private final ClientConnections connections = new ClientConnections();
    private final long startedAtMillis = System.currentTimeMillis();
    private final ExecutorService queuePool;
    private final ExecutorService adminPool;
    private final ExecutorService readPool;
    private final ScheduledExecutorService timers;
    private volatile Lifecycle state;
    private volatile Cluster cluster;
    private final ClusterNodes clusterNodes;
    private final AtomicBoolean closing = new AtomicBoolean();

    private Broker(Storage storage, UserStore users, VirtualHosts vhosts, ResourceAlarms alarms,
                   ExecutorService queuePool, ExecutorService adminPool, ExecutorService readPool,
                   ScheduledExecutorService timers) {
        this.storage = storage;
        this.users = users;
        this.authentication = Authentication.withDefaultMechanisms(users);
        this.vhosts = vhosts;
        this.clusterNodes = new ClusterNodes(storage.metadata());
        vhosts.onDelete(gone -> connections.all().stream()
                .filter(c -> gone.equals(c.vhost()))
                .forEach(c -> c.close("vhost '" + gone + "' is deleted")));
        this.alarms = alarms;
        this.queuePool = queuePool;
        this.adminPool = adminPool;
        this.readPool = readPool;
        this.timers = timers;
        this.state = Lifecycle.RUNNING;
    }

    /** Opens storage, recovering it if the last run did not stop cleanly, then every virtual host. */
    public static Broker open(BrokerSettings settings) throws IOException {
        Storage storage = Storage.open(settings.storage());
        ExecutorService queuePool = null;
        ExecutorService adminPool = null;
        ExecutorService readPool = null;
        ScheduledExecutorService timers = null;
        try {
            // Queues that do not survive a restart left their logs behind if the broker crashed.
            for (String log : storage.logs().onDisk().keySet()) {
                if (log.startsWith(Queue.TRANSIENT_LOG_PREFIX)) {
                    storage.logs().delete(log);
                }
            }
            queuePool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    new NamedThreadFactory("queue", true));
            adminPool = Executors.newFixedThreadPool(2, new NamedThreadFactory("admin", true));
            readPool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    new NamedThreadFactory("stream-read", true));
            timers = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("timer", true));
            QueueContext ctx = new QueueContext(storage.logs(), storage.cursors(), queuePool, readPool, timers,
                    settings.storage().clock(), settings.durableQueueLogs(),
                    settings.durableQueueLogs().withFsync(FsyncPolicy.NEVER), new AtomicLong(), cacheLimit(settings.messageCacheBytes()),
                    new StreamReplication());
            VirtualHosts vhosts = VirtualHosts.open(settings.vhosts(), ctx, storage.metadata(), adminPool);
            ResourceAlarms alarms = new ResourceAlarms(storage.dataDir(), settings.memoryHighWatermark(),
                    settings.diskFreeLimit(), timers, 1000);
            LOG.info("broker open: data in {}, virtual hosts {}", storage.dataDir(), vhosts.all().keySet());
            return new Broker(storage, new UserStore(settings.users(), storage.metadata(), adminPool), vhosts, alarms, queuePool, adminPool, readPool,
                    timers);
        } catch (IOException | RuntimeException e) {
            for (ExecutorService ex : new ExecutorService[] {queuePool, adminPool, readPool, timers}) {
                if (ex != null) {
                    ex.shutdownNow();
                }
            }
            try {
                storage.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The queues' memory cache: as configured, but at most a quarter of the heap, so that a
     * broker started with a small heap does not fill it with messages it also has on disk.
     */
    private static long cacheLimit(long configured) {
        long quarterOfHeap = Runtime.getRuntime().maxMemory() / 4;
        if (configured > quarterOfHeap) {
            LOG.info("the queues' memory cache is {} MiB, a quarter of the heap, not the {} MiB configured",
                    quarterOfHeap >> 20, configured >> 20);
            return quarterOfHeap;
        }
        return configured;
    }

    public Storage storage() {
        return storage;
    }

    /**
     * Starts an online backup into {@code directory}: definitions, users, every durable queue's
     * and stream's log and every cursor and group offset, as of one moment (see
     * {@link StorageBackups}). Queues that do not survive a restart are left out.
     */
    public StorageBackups.Status backup(Path directory) throws IOException {
        return storage.backups().start(directory, log -> !log.startsWith(Queue.TRANSIENT_LOG_PREFIX));
    }

    /** How clients of every protocol log in and are let into a virtual host. */
    public Authentication authentication() {
        return authentication;
    }

    public UserStore users() {
        return users;
    }

    public ResourceAlarms alarms() {
        return alarms;
    }

    /** Every open client connection, whatever its protocol. */
    public ClientConnections connections() {
        return connections;
    }

    /** When the broker opened, in milliseconds since the epoch. */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    public Optional<VirtualHost> vhost(String name) {
        return vhosts.get(name);
    }

    public Map<String, VirtualHost> vhosts() {
        return vhosts.all();
    }

    /** Creates a virtual host that outlives restarts; completes with it, or with the one of that name. */
    public CompletableFuture<VirtualHost> createVirtualHost(String name) {
        return vhosts.create(name);
    }

    /**
     * Deletes a virtual host created at run time, as RabbitMQ does: its clients are disconnected,
     * everything in it goes, and no user keeps a permission on it. Completes with false if there
     * is none; fails with PRECONDITION_FAILED for one the configuration names.
     */
    public CompletableFuture<Boolean> deleteVirtualHost(String name) {
        return vhosts.delete(name)
                .thenCompose(deleted -> {
                    if (!deleted) {
                        return CompletableFuture.completedFuture(false);
                    }
                    List<CompletableFuture<Boolean>> revoked = new ArrayList<>();
                    for (User u : users.list()) {
                        if (u.permission(name).isPresent()) {
                            revoked.add(users.setPermission(u.name(), name, null));
                        }
                    }
                    return CompletableFuture.allOf(revoked.toArray(CompletableFuture[]::new)).thenApply(v -> true);
                });
    }

    /**
     * What applies the metadata commands a cluster commits to this broker's definitions: what a
     * cluster node is started with, before {@link #joinCluster}.
     */
    public MetadataApplier metadataApplier() {
        return new MetadataApplier(vhosts, users, clusterNodes, storage.metadata());
    }

    /**
     * What applies the commands one data group of a cluster commits to this broker's stream
     * partitions, each once this node has applied the metadata log as far as its proposer had.
     */
    public PartitionApplier partitionApplier(String group, LongFunction<CompletableFuture<Void>> metadataApplied) {
        return new PartitionApplier(group, vhosts, storage.metadata(), metadataApplied);
    }

    /**
     * Makes this broker a node of {@code cluster}: from now on, definitions that outlive a restart
     * are changed through it, on every node. Called once, before any client connects.
     */
    public void joinCluster(Cluster cluster) {
        this.cluster = cluster;
        vhosts.replicateThrough(cluster);
        users.replicateThrough(cluster);
    }

    /**
     * Tells the cluster where this node serves clients; completes once agreed.
     *
     * @throws IllegalStateException if the broker is a single node
     */
    public CompletableFuture<Void> registerNode(NodeRegistration registration) {
        Cluster c = cluster().orElseThrow(() -> new IllegalStateException("a single node registers nowhere"));
        return c.proposeMetadata(MetadataCommandCodec.encode(registration));
    }

    /** The nodes of this broker's cluster as they registered; none for a single node. */
    public ClusterNodes clusterNodes() {
        return clusterNodes;
    }

    /** The cluster this broker is a node of; empty for a single node. */
    public Optional<Cluster> cluster() {
        return Optional.ofNullable(cluster);
    }

    public Lifecycle state() {
        return state;
    }

    @Override
    public void close() throws IOException {
        // Only the first caller closes; a later one returns at once, as from a closed broker.
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        state = Lifecycle.CLOSING;
        try {
            alarms.close();
            try {
                vhosts.closeAll().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("queues did not all stop within 30 s: {}", e.toString());
            }
            for (ExecutorService ex : List.of(timers, adminPool, readPool, queuePool)) {
                ex.shutdown();
            }
            for (ExecutorService ex : List.of(timers, adminPool, readPool, queuePool)) {
                try {
                    if (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
                        ex.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            storage.close();
            LOG.info("broker closed cleanly");
        } finally {
            state = Lifecycle.CLOSED;
        }
    }
}
