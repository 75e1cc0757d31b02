package io.wharf.core.stream;

import io.wharf.storage.cursor.CursorState;
import io.wharf.storage.cursor.CursorStore;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The offsets consumer groups have committed on a virtual host's streams, kept durably in the
 * cursor store: one cursor per group, stream and partition. On a cluster node, commits and
 * deletions go through the data group the group is placed on, and every member of that group
 * makes them, so a group's offsets outlive the loss of a node.
 *
 * <p>Thread-safe: the cursor store orders writes to one cursor.
 */
public final class GroupOffsets {

    private static final char SEP = '\0';

    /** One committed offset, with the metadata the consumer stored beside it. */
    public record Committed(String stream, int partition, long offset, String metadata) {
    }

    private final CursorStore cursors;
    private final String vhost;
    private final String prefix;
    private final StreamReplication replication;

    public GroupOffsets(CursorStore cursors, String vhost, StreamReplication replication) {
        this.cursors = cursors;
        this.vhost = vhost;
        this.prefix = "group/" + vhost + "/";
        this.replication = replication;
    }

    /**
     * What a cluster places a consumer group by: its offsets' data group, whose leader coordinates
     * it (and, for a transactional id, its transactions).
     */
    public static String placementKey(String vhost, String group) {
        return "group/" + vhost + "/" + group;
    }

    /** A change to a group's offsets, as a cluster carries it: one commit, or the deletion of them all ({@code stream} null). */
    public record Change(String vhost, String group, String stream, int partition, long offset, String metadata) {
    }

    private String cursor(String group, String stream, int partition) {
        return prefix + group + SEP + stream + SEP + partition;
    }

    /** Completes once the offset is durable (on a cluster, on a majority of the group's data group). */
    public CompletableFuture<Void> commit(String group, String stream, int partition, long offset, String metadata) {
        if (replication.replicated()) {
            return replication.submit(new Change(vhost, group, stream, partition, offset, metadata));
        }
        return commitHere(group, stream, partition, offset, metadata);
    }

    /** Makes a change here, whatever the replication: what a replica does with the changes its group agreed on. */
    public CompletableFuture<Void> apply(Change c) {
        return c.stream() == null ? deleteHere(c.group()) : commitHere(c.group(), c.stream(), c.partition(), c.offset(), c.metadata());
    }

    private CompletableFuture<Void> commitHere(String group, String stream, int partition, long offset, String metadata) {
        byte[] meta = metadata == null ? new byte[0] : metadata.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return cursors.commit(cursor(group, stream, partition), offset, meta);
    }

    public Optional<Committed> get(String group, String stream, int partition) {
        return cursors.get(cursor(group, stream, partition)).filter(c -> c.committedOffset() >= 0)
                .map(c -> committed(stream, partition, c));
    }

    /** Every offset the group has committed. */
    public List<Committed> all(String group) {
        String p = prefix + group + SEP;
        List<Committed> out = new ArrayList<>();
        cursors.all().forEach((name, c) -> {
            if (name.startsWith(p) && c.committedOffset() >= 0) {
                String[] parts = name.substring(p.length()).split(String.valueOf(SEP), -1);
                out.add(committed(parts[0], Integer.parseInt(parts[1]), c));
            }
        });
        return out;
    }

    /** Groups that have committed offsets. */
    public Set<String> groups() {
        Set<String> out = new LinkedHashSet<>();
        for (String name : cursors.all().keySet()) {
            if (name.startsWith(prefix)) {
                int end = name.indexOf(SEP, prefix.length());
                if (end > 0) {
                    out.add(name.substring(prefix.length(), end));
                }
            }
        }
        return out;
    }

    /** Forgets every offset of the group. */
    public CompletableFuture<Void> delete(String group) {
        if (replication.replicated()) {
            return replication.submit(new Change(vhost, group, null, -1, -1, null));
        }
        return deleteHere(group);
    }

    private CompletableFuture<Void> deleteHere(String group) {
        String p = prefix + group + SEP;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String name : cursors.all().keySet()) {
            if (name.startsWith(p)) {
                all.add(cursors.delete(name));
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Forgets every group's offsets on a stream, as a deleted Kafka topic takes its offsets with it. */
    public CompletableFuture<Void> deleteStream(String stream) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String name : cursors.all().keySet()) {
            if (name.startsWith(prefix)) {
                String[] parts = name.substring(prefix.length()).split(String.valueOf(SEP), -1);
                if (parts.length == 3 && parts[1].equals(stream)) {
                    all.add(cursors.delete(name));
                }
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private static Committed committed(String stream, int partition, CursorState c) {
        byte[] m = c.metadata();
        return new Committed(stream, partition, c.committedOffset(),
                m == null || m.length == 0 ? "" : new String(m, java.nio.charset.StandardCharsets.UTF_8));
    }
}
