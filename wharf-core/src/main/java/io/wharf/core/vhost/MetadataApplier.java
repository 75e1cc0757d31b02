package io.wharf.core.vhost;

import io.wharf.core.auth.UserStore;
import io.wharf.core.cluster.ClusterNodes;
import io.wharf.core.message.MalformedDataException;
import io.wharf.storage.metadata.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Applies the metadata commands a cluster committed to this node's virtual hosts and users, one after
 * another in the order of the cluster's log, and records in the metadata store the index of the
 * last one applied. After a restart the cluster's log is gone through again; commands up to that
 * index are already in the stored definitions and are skipped, which keeps a replayed "delete
 * queue" from deleting a queue of the same name declared after it.
 *
 * <p>Every command's effect is idempotent when applied again at once (a declaration of what
 * exists, a deletion of what is gone changes nothing), so the index being stored just after the
 * effects, not with them, is safe: a crash between the two applies that one command twice.
 *
 * <p>Threading: {@link #apply} is called by the cluster's one apply thread, in log order; the
 * work runs on the virtual hosts' apply lanes.
 */
public final class MetadataApplier {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataApplier.class);
    // Apart from every definition key, which is <kind>\0<vhost>\0<name>, and from "vhost\0<name>".
    private static final String APPLIED_KEY = "cluster\0metadata-applied";

    private final VirtualHosts vhosts;
    private final UserStore users;
    private final ClusterNodes nodes;
    private final MetadataStore metadata;
    // The apply of the last command given; the next starts when it has finished. Apply thread only.
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    public MetadataApplier(VirtualHosts vhosts, UserStore users, ClusterNodes nodes, MetadataStore metadata) {
        this.vhosts = vhosts;
        this.users = users;
        this.nodes = nodes;
        this.metadata = metadata;
    }

    /** The index of the last command whose effects are in the stored definitions; 0 if none. */
    public long durableIndex() {
        return metadata.get(APPLIED_KEY).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
    }

    /**
     * Applies the command at {@code index} once every command given before it has been applied.
     * Never fails: a command that cannot be read or applied is logged, as a bug that may leave
     * this node's definitions differing from the others', and passed.
     */
    public CompletableFuture<Void> apply(long index, byte[] command) {
        MetadataCommandCodec.Decoded decoded;
        try {
            decoded = MetadataCommandCodec.decode(command);
        } catch (MalformedDataException e) {
            LOG.error("metadata command {} cannot be read and is skipped: {}", index, e.getMessage());
            decoded = null;
        }
        MetadataCommandCodec.Decoded d = decoded;
        CompletableFuture<Void> applied = last.thenCompose(v -> d == null ? done() : dispatch(d))
                .exceptionally(e -> {
                    LOG.error("metadata command {} ({}) failed to apply on this node", index, d, e);
                    return null;
                })
                .thenCompose(v -> metadata.put(APPLIED_KEY, ByteBuffer.allocate(Long.BYTES).putLong(index).array()))
                .exceptionally(e -> {
                    LOG.error("the index of metadata command {} could not be stored; it may be applied again after a restart",
                            index, e);
                    return null;
                });
        last = applied;
        return applied;
    }

    private CompletableFuture<Void> dispatch(MetadataCommandCodec.Decoded decoded) {
        return switch (decoded) {
            case MetadataCommandCodec.VhostChange c -> vhosts.applyCommitted(c.command());
            case MetadataCommandCodec.UserChange c -> users.applyCommitted(c.command());
            case MetadataCommandCodec.NodeRegistered c -> nodes.apply(c.registration());
            case MetadataCommandCodec.TopologyChange c -> vhosts.get(c.vhost()).map(v -> v.applyCommitted(c.command()))
                    .orElseGet(() -> {
                        // Deleted by an earlier command: what the command changed went with it.
                        LOG.debug("metadata command for vhost '{}', which this node does not have, changes nothing", c.vhost());
                        return done();
                    });
        };
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
