package io.wharf.core.vhost;

import io.wharf.core.cluster.CommandApplier;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.stream.PartitionAddress;
import io.wharf.core.stream.PartitionCommand;
import io.wharf.core.stream.PartitionCommandCodec;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamPartition;
import io.wharf.storage.metadata.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * Applies the partition commands one data group of a cluster committed to this node's stream
 * partitions, in the group's log order, and answers each with what the partition answered.
 *
 * <p>Every member applies the same commands in the same order to partitions that started empty,
 * so every replica's log holds the same batches at the same offsets. Every so many entries, once
 * all before have reached the disk, the applier stores a checkpoint: the index applied and the
 * end of each partition it wrote. After a restart the group's log is gone through again from the
 * checkpoint: a command whose batch the partition already holds where it was going is passed
 * over, since it was written before the node stopped; the others are applied.
 *
 * <p>Threading: {@link #apply} is called by the group's one apply thread, in log order. The
 * partitions' own owners do the work; one command's place in its log is fixed before the next
 * command is given to any partition.
 */
public final class PartitionApplier implements CommandApplier {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionApplier.class);
    private static final int CHECKPOINT_EVERY = 256;
    // Apart from every definition key, and from the metadata group's "cluster\0metadata-applied".
    private static final String KEY_PREFIX = "cluster\0data\0";
    private static final byte[] ALREADY_APPLIED = new byte[0];

    private final String group;
    private final VirtualHosts vhosts;
    private final MetadataStore store;
    private final LongFunction<CompletableFuture<Void>> metadataApplied;
    private final long checkpointIndex;
    // Where the next command for each partition writes: the partition's end, except while commands
    // written before a restart are gone through again. Changed only in the chain of decisions.
    private final Map<PartitionAddress, Long> ends = new HashMap<>();
    private long lastCheckpoint;
    // Each command is decided (given its place) after the one before; apply thread only.
    private CompletableFuture<Void> decided = CompletableFuture.completedFuture(null);
    // Completes once what every command given so far wrote is on disk here; apply thread only.
    private CompletableFuture<Void> onDisk = CompletableFuture.completedFuture(null);

    /**
     * @param group           the data group's name, which names its checkpoint
     * @param vhosts          where the partitions are
     * @param store           where checkpoints are kept
     * @param metadataApplied completes once this node has applied the metadata log up to an index
     */
    public PartitionApplier(String group, VirtualHosts vhosts, MetadataStore store,
                            LongFunction<CompletableFuture<Void>> metadataApplied) {
        this.group = group;
        this.vhosts = vhosts;
        this.store = store;
        this.metadataApplied = metadataApplied;
        this.checkpointIndex = store.get(KEY_PREFIX + group).map(this::readCheckpoint).orElse(0L);
        this.lastCheckpoint = checkpointIndex;
    }

    /** The index of the group's log up to which every command's batches are on disk here; 0 if none. */
    @Override
    public long durableIndex() {
        return checkpointIndex;
    }

    /**
     * Applies the command at {@code index} after every command given before it has its place.
     * Never fails: a command that cannot be read or applied is answered as failed, and logged.
     */
    @Override
    public CompletableFuture<byte[]> apply(long index, byte[] command) {
        return applyAll(index, List.of(command)).thenApply(answers -> answers.get(0));
    }

    /** Applies the commands of one entry in order; the entry counts for a checkpoint once the last is decided. */
    @Override
    public CompletableFuture<List<byte[]>> applyAll(long index, List<byte[]> commands) {
        List<CompletableFuture<byte[]>> results = new ArrayList<>();
        for (byte[] command : commands) {
            results.add(applyOne(index, command));
        }
        CompletableFuture<Void> upToHere = onDisk;
        decided = decided.thenRun(() -> checkpointEvery(index, upToHere));
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<byte[]> applyOne(long index, byte[] command) {
        PartitionCommandCodec.Decoded d;
        try {
            d = PartitionCommandCodec.decode(command);
        } catch (MalformedDataException e) {
            LOG.error("data group {}: command {} cannot be read and is passed over: {}", group, index, e.getMessage());
            return CompletableFuture.completedFuture(PartitionCommandCodec.failed(e.getMessage()));
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        CompletableFuture<Void> written = new CompletableFuture<>();
        onDisk = onDisk.thenCombine(written, (a, b) -> null);
        decided = decided
                // The stream it writes to was declared before it was proposed: wait for that here.
                .thenCompose(v -> metadataApplied.apply(d.metadataIndex()))
                .thenCompose(v -> decide(index, d, result, written))
                .exceptionally(e -> {
                    LOG.error("data group {}: command {} failed; this replica may now differ from the others", group, index, e);
                    result.complete(PartitionCommandCodec.failed(String.valueOf(e.getMessage())));
                    written.complete(null);
                    return null;
                });
        return result;
    }

    /**
     * Gives the command its place; the future completes once it has one, {@code result} once it
     * is answered and {@code written} once what it wrote here is on disk.
     */
    private CompletableFuture<Void> decide(long index, PartitionCommandCodec.Decoded decoded, CompletableFuture<byte[]> result,
                                           CompletableFuture<Void> written) {
        if (decoded instanceof PartitionCommandCodec.OffsetsChange o) {
            // A group's offsets: made again as they were when the log is gone through again, ending as they ended.
            VirtualHost vhost = vhosts.get(o.change().vhost()).orElse(null);
            if (vhost == null) {
                result.complete(PartitionCommandCodec.gone());
                written.complete(null);
            } else {
                vhost.groupOffsets().apply(o.change()).whenComplete((v, e) -> {
                    result.complete(e == null ? PartitionCommandCodec.done() : PartitionCommandCodec.failed(String.valueOf(e.getMessage())));
                    written.complete(null);
                });
            }
            return CompletableFuture.completedFuture(null);
        }
        PartitionCommandCodec.PartitionChange d = (PartitionCommandCodec.PartitionChange) decoded;
        PartitionAddress address = d.address();
        StreamPartition p = partition(address);
        if (p == null) {
            ends.remove(address);
            result.complete(PartitionCommandCodec.gone());
            written.complete(null);
            return CompletableFuture.completedFuture(null);
        }
        PartitionCommand command = d.command();
        long expected = ends.getOrDefault(address, 0L);
        if (expected < p.endOffset() && !(command instanceof PartitionCommand.DeleteRecords)) {
            if (p.holds(expected, command)) {
                ends.put(address, expected + offsets(command));
                result.complete(ALREADY_APPLIED);
                written.complete(null);
                return CompletableFuture.completedFuture(null);
            }
            if (!(command instanceof PartitionCommand.AppendIdempotent)) {
                // Only a repeated idempotent batch is written nowhere; anything else belongs here.
                LOG.error("data group {}: {} holds other records at {} than command {} writes; writing it at the end", group,
                        address, expected, index);
            }
        }
        long before = p.endOffset();
        return p.applyInOrder(command).thenAccept(answer -> {
            long wrote = p.endOffset() - before;
            // What it wrote, if anything, from where this group's commands have reached.
            ends.put(address, expected + wrote);
            CompletableFuture<Object> durable = answer.thenCompose(PartitionApplier::whenWritten);
            durable.whenComplete((r, e) -> {
                if (e != null) {
                    LOG.error("data group {}: {} could not write command {}; the group's log still holds it", group, address, index, e);
                }
                written.complete(null);
            });
            if (wrote > 0) {
                // Written at `before`, after every earlier command: a majority has it in the group's log on
                // disk, which a restart goes through again, so the proposer need not wait for this disk too.
                result.complete(PartitionCommandCodec.encodeResult(before));
            } else {
                durable.whenComplete((r, e) -> result.complete(e == null
                        ? PartitionCommandCodec.encodeResult(r) : PartitionCommandCodec.failed(String.valueOf(e.getMessage()))));
            }
        });
    }

    /** An idempotent append's answer once its batch is on disk; any other answer as it is. */
    private static CompletableFuture<Object> whenWritten(Object answer) {
        return answer instanceof StreamPartition.Appended a ? a.baseOffset().thenApply(Object.class::cast)
                : CompletableFuture.completedFuture(answer);
    }

    private static long offsets(PartitionCommand command) {
        return switch (command) {
            case PartitionCommand.Append a -> a.batch().lastOffsetDelta() + 1L;
            case PartitionCommand.AppendIdempotent a -> a.batch().lastOffsetDelta() + 1L;
            case PartitionCommand.EndTransaction e -> 1;
            case PartitionCommand.DeleteRecords r -> 0;
        };
    }

    private StreamPartition partition(PartitionAddress a) {
        VirtualHost vhost = vhosts.get(a.vhost()).orElse(null);
        Stream s = vhost == null ? null : vhost.stream(a.stream());
        return s == null || !s.definition().id().equals(a.streamId()) ? null : s.partition(a.index());
    }

    /** Every so many entries, stores where each partition ends once what they wrote is on disk here. */
    private void checkpointEvery(long index, CompletableFuture<Void> upToHere) {
        if (index - lastCheckpoint < CHECKPOINT_EVERY) {
            return;
        }
        lastCheckpoint = index;
        byte[] checkpoint = encodeCheckpoint(index, ends);
        upToHere.thenRun(() -> store.put(KEY_PREFIX + group, checkpoint));
    }

    private static byte[] encodeCheckpoint(long index, Map<PartitionAddress, Long> ends) {
        int size = 8 + 4;
        for (PartitionAddress a : ends.keySet()) {
            size += 8 + a.vhost().getBytes(StandardCharsets.UTF_8).length + a.stream().getBytes(StandardCharsets.UTF_8).length
                    + 16 + 4 + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putLong(index).putInt(ends.size());
        ends.forEach((a, end) -> {
            byte[] vhost = a.vhost().getBytes(StandardCharsets.UTF_8);
            byte[] stream = a.stream().getBytes(StandardCharsets.UTF_8);
            out.putInt(vhost.length).put(vhost).putInt(stream.length).put(stream)
                    .putLong(a.streamId().getMostSignificantBits()).putLong(a.streamId().getLeastSignificantBits())
                    .putInt(a.index()).putLong(end);
        });
        return out.array();
    }

    private long readCheckpoint(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long index = in.getLong();
        for (int i = in.getInt(); i > 0; i--) {
            String vhost = string(in);
            String stream = string(in);
            PartitionAddress a = new PartitionAddress(vhost, stream, new UUID(in.getLong(), in.getLong()), in.getInt());
            ends.put(a, in.getLong());
        }
        return index;
    }

    private static String string(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
