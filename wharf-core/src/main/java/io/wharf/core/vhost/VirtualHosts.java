package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.concurrent.Sequencer;
import io.wharf.core.queue.QueueContext;
import io.wharf.storage.metadata.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The broker's virtual hosts: those the configuration names, and those created while it runs,
 * which are stored and opened again at start. They change only by {@link Command}s, decided one
 * after another on a sequencer, each in full before it is applied. On a node of a cluster a
 * decided command is proposed to the cluster and applied on every node once committed, by an
 * apply lane of its own (a decision waits for its commit, which must not wait for the decider).
 *
 * <p>Thread-safe: lookups from any thread see a virtual host once it is open.
 */
public final class VirtualHosts {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualHosts.class);
    // Kept apart from every per-vhost key, which starts with its kind and then the vhost's name.
    private static final String KEY_PREFIX = "vhost\0";
    private static final int MAX_NAME_LENGTH = 255;

    /** A change of the set of virtual hosts. */
    public sealed interface Command {
    }

    /** Creates a virtual host; nothing happens if it exists. */
    public record Create(String name) implements Command {
    }

    /** Deletes a virtual host created at run time, with everything in it. */
    public record Delete(String name) implements Command {
    }

    private final Map<String, VirtualHost> open = new ConcurrentHashMap<>();
    private final Set<String> configured;
    private final QueueContext queueContext;
    private final MetadataStore metadata;
    private final Executor adminPool;
    private final Sequencer changes;
    private final Sequencer applyLane;
    private volatile Cluster cluster;
    // Closes the clients' connections to a virtual host that is being deleted; set by the broker.
    private volatile Consumer<String> closeConnections = name -> { };

    private VirtualHosts(Set<String> configured, QueueContext queueContext, MetadataStore metadata, Executor adminPool) {
        this.configured = configured;
        this.queueContext = queueContext;
        this.metadata = metadata;
        this.adminPool = adminPool;
        this.changes = new Sequencer(adminPool);
        this.applyLane = new Sequencer(adminPool);
    }

    /** Opens the configured virtual hosts and those created at run time before. */
    public static VirtualHosts open(List<String> configured, QueueContext queueContext, MetadataStore metadata,
                                    Executor adminPool) throws IOException {
        VirtualHosts v = new VirtualHosts(Set.copyOf(configured), queueContext, metadata, adminPool);
        Set<String> names = new LinkedHashSet<>(configured);
        for (String key : metadata.scan(KEY_PREFIX).keySet()) {
            names.add(key.substring(KEY_PREFIX.length()));
        }
        try {
            for (String name : names) {
                v.open.put(name, VirtualHost.open(name, queueContext, metadata, adminPool));
            }
        } catch (IOException | RuntimeException e) {
            v.closeAll();
            throw e;
        }
        return v;
    }

    public Optional<VirtualHost> get(String name) {
        return Optional.ofNullable(open.get(name));
    }

    public Map<String, VirtualHost> all() {
        return Map.copyOf(open);
    }

    /** Whether {@code name} is named by the configuration, which brings it back at every start. */
    public boolean configured(String name) {
        return configured.contains(name);
    }

    /**
     * Creates a virtual host, stored so that it is there after a restart; completes with it, or
     * with the one of that name that exists already.
     *
     * @throws BrokerException PRECONDITION_FAILED (in the future) for a name that is empty or too long
     */
    public CompletableFuture<VirtualHost> create(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return CompletableFuture.failedFuture(BrokerException.preconditionFailed(
                    "a virtual host's name is 1 to " + MAX_NAME_LENGTH + " characters"));
        }
        return changes.submit(() -> change(new Create(name))).thenApply(v -> open.get(name));
    }

    /**
     * Deletes a virtual host created at run time: its clients' connections are closed (see
     * {@link #onDelete}), then its queues and streams go with their logs, and everything it
     * stored. Completes with false if there is no such virtual host.
     *
     * @throws BrokerException PRECONDITION_FAILED (in the future) for one the configuration names
     */
    public CompletableFuture<Boolean> delete(String name) {
        return changes.submit(() -> {
            if (!open.containsKey(name)) {
                return CompletableFuture.completedFuture(false);
            }
            if (configured(name)) {
                return CompletableFuture.failedFuture(BrokerException.preconditionFailed("virtual host '" + name
                        + "' is named in the configuration; remove it there to delete it"));
            }
            return change(new Delete(name)).thenApply(v -> true);
        });
    }

    /** Has {@code closeConnections} close the connections to each virtual host being deleted, on every node. */
    public void onDelete(Consumer<String> closeConnections) {
        this.closeConnections = closeConnections;
    }

    /**
     * From now on, changes to the set of virtual hosts and to their definitions that outlive a
     * restart are proposed to {@code cluster} and made on every node once it commits them; so are
     * changes to streams' partitions, through their own groups.
     */
    public void replicateThrough(Cluster cluster) {
        this.cluster = cluster;
        queueContext.streams().replicateThrough(cluster);
        open.values().forEach(v -> v.replicateThrough(cluster));
    }

    /** Makes a decided change; completes once this node has applied it. On the sequencer. */
    private CompletableFuture<Void> change(Command command) {
        Cluster c = cluster;
        return c == null ? apply(command) : c.proposeMetadata(MetadataCommandCodec.encode(command));
    }

    /** Applies a command the cluster committed (decided here or on another node). */
    CompletableFuture<Void> applyCommitted(Command command) {
        return applyLane.submit(() -> apply(command));
    }

    /** Applies a decided command: on the sequencer on a single node, on the apply lane on a cluster. */
    private CompletableFuture<Void> apply(Command command) {
        return switch (command) {
            case Create c -> {
                if (open.containsKey(c.name())) {
                    yield CompletableFuture.completedFuture(null);
                }
                yield metadata.put(KEY_PREFIX + c.name(), new byte[0]).thenApplyAsync(v -> {
                    try {
                        VirtualHost vhost = VirtualHost.open(c.name(), queueContext, metadata, adminPool);
                        if (cluster != null) {
                            vhost.replicateThrough(cluster);
                        }
                        open.put(c.name(), vhost);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    LOG.info("virtual host '{}' created", c.name());
                    return null;
                }, adminPool);
            }
            case Delete d -> {
                VirtualHost vhost = open.remove(d.name());
                if (vhost == null) {
                    yield CompletableFuture.completedFuture(null);
                }
                closeConnections.accept(d.name());
                yield vhost.deleteEverything()
                        .thenCompose(v -> metadata.delete(KEY_PREFIX + d.name()))
                        .thenRun(() -> LOG.info("virtual host '{}' deleted", d.name()));
            }
        };
    }

    /** Closes every virtual host; completes when their queues have stopped. */
    public CompletableFuture<Void> closeAll() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        Collection<VirtualHost> all = List.copyOf(open.values());
        all.forEach(v -> closing.add(v.close()));
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }
}
