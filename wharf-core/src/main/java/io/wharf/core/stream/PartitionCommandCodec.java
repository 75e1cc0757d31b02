package io.wharf.core.stream;

import io.wharf.core.BrokerException;
import io.wharf.core.message.MalformedDataException;
import io.wharf.storage.record.CheckedBatch;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The bytes a partition's command travels in through its Raft group, and the bytes of the answer
 * its leader gives. A command names its partition and the index of the metadata log its proposer
 * had applied: a replica applies it only once its own definitions are that far, so a stream
 * created just before its first record is there when the record arrives. Stateless.
 */
public final class PartitionCommandCodec {

    private static final byte VERSION = 1;

    private static final byte APPEND = 1;
    private static final byte APPEND_IDEMPOTENT = 2;
    private static final byte END_TRANSACTION = 3;
    private static final byte DELETE_RECORDS = 4;
    private static final byte GROUP_OFFSETS = 5;

    private static final byte OFFSET = 1;
    private static final byte ALREADY_WRITTEN = 2;
    private static final byte SEQUENCE_GAP = 3;
    private static final byte FENCED = 4;
    private static final byte GONE = 5;
    private static final byte FAILED = 6;
    private static final byte DONE = 7;

    private PartitionCommandCodec() {
    }

    /** A decoded command, to apply once the metadata log is applied up to its {@code metadataIndex}. */
    public sealed interface Decoded permits PartitionChange, OffsetsChange {
        long metadataIndex();
    }

    /** A command for a stream partition. */
    public record PartitionChange(long metadataIndex, PartitionAddress address, PartitionCommand command) implements Decoded {
    }

    /** A change to a consumer group's offsets. */
    public record OffsetsChange(long metadataIndex, GroupOffsets.Change change) implements Decoded {
    }

    public static byte[] encode(long metadataIndex, GroupOffsets.Change c) {
        byte[][] texts = {bytes(c.vhost()), bytes(c.group()), bytes(c.stream()), bytes(c.metadata())};
        int size = 1 + 8 + 1 + 4 + 8;
        for (byte[] t : texts) {
            size += 4 + (t == null ? 0 : t.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(VERSION).putLong(metadataIndex).put(GROUP_OFFSETS);
        for (byte[] t : texts) {
            if (t == null) {
                out.putInt(-1);
            } else {
                out.putInt(t.length).put(t);
            }
        }
        return out.putInt(c.partition()).putLong(c.offset()).array();
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] encode(long metadataIndex, PartitionAddress address, PartitionCommand command) {
        byte[] vhost = address.vhost().getBytes(StandardCharsets.UTF_8);
        byte[] stream = address.stream().getBytes(StandardCharsets.UTF_8);
        CheckedBatch batch = switch (command) {
            case PartitionCommand.Append a -> a.batch();
            case PartitionCommand.AppendIdempotent a -> a.batch();
            default -> null;
        };
        int size = 1 + 8 + 4 + vhost.length + 4 + stream.length + 16 + 4 + 1 + 32 + (batch == null ? 0 : 4 + batch.sizeInBytes());
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION).putLong(metadataIndex);
        out.putInt(vhost.length).put(vhost).putInt(stream.length).put(stream);
        out.putLong(address.streamId().getMostSignificantBits()).putLong(address.streamId().getLeastSignificantBits());
        out.putInt(address.index());
        switch (command) {
            case PartitionCommand.Append a -> out.put(APPEND);
            case PartitionCommand.AppendIdempotent a -> out.put(APPEND_IDEMPOTENT).putLong(a.producerId()).putShort(a.epoch())
                    .putInt(a.firstSequence()).putInt(a.lastSequence()).put((byte) (a.transactional() ? 1 : 0));
            case PartitionCommand.EndTransaction e -> out.put(END_TRANSACTION).putLong(e.producerId()).putShort(e.epoch())
                    .put((byte) (e.commit() ? 1 : 0)).putInt(e.coordinatorEpoch()).putLong(e.timestamp());
            case PartitionCommand.DeleteRecords d -> out.put(DELETE_RECORDS).putLong(d.offset());
        }
        if (batch != null) {
            out.putInt(batch.sizeInBytes());
            for (ByteBuffer part : batch.parts()) {
                out.put(part.duplicate());
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /**
     * @throws MalformedDataException if {@code bytes} are not a command this version knows, or
     *                                carry a batch that fails its CRC
     */
    public static Decoded decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != VERSION) {
                throw new MalformedDataException("a partition command of an unknown version");
            }
            long metadataIndex = in.getLong();
            if (in.get(in.position()) == GROUP_OFFSETS) {
                in.get();
                String vhost = nullableString(in);
                String group = nullableString(in);
                String stream = nullableString(in);
                String metadata = nullableString(in);
                return new OffsetsChange(metadataIndex, new GroupOffsets.Change(vhost, group, stream, in.getInt(), in.getLong(),
                        metadata));
            }
            String vhost = string(in);
            String stream = string(in);
            UUID id = new UUID(in.getLong(), in.getLong());
            PartitionAddress address = new PartitionAddress(vhost, stream, id, in.getInt());
            byte kind = in.get();
            PartitionCommand command = switch (kind) {
                case APPEND -> new PartitionCommand.Append(batch(in));
                case APPEND_IDEMPOTENT -> {
                    long producerId = in.getLong();
                    short epoch = in.getShort();
                    int first = in.getInt();
                    int last = in.getInt();
                    boolean transactional = in.get() != 0;
                    yield new PartitionCommand.AppendIdempotent(batch(in), producerId, epoch, first, last, transactional);
                }
                case END_TRANSACTION -> new PartitionCommand.EndTransaction(in.getLong(), in.getShort(), in.get() != 0,
                        in.getInt(), in.getLong());
                case DELETE_RECORDS -> new PartitionCommand.DeleteRecords(in.getLong());
                default -> throw new MalformedDataException("unknown partition command " + kind);
            };
            return new PartitionChange(metadataIndex, address, command);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedDataException("a partition command is malformed: " + e);
        }
    }

    private static String nullableString(ByteBuffer in) {
        int length = in.getInt(in.position());
        if (length < 0) {
            in.getInt();
            return null;
        }
        return string(in);
    }

    private static String string(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static CheckedBatch batch(ByteBuffer in) {
        int size = in.getInt();
        ByteBuffer b = in.slice(in.position(), size);
        in.position(in.position() + size);
        // A fresh buffer of its own: the log writes the base offset into it.
        return CheckedBatch.check(ByteBuffer.allocate(size).put(b).flip());
    }

    // ---------------------------------------------------------------- answers

    /** What applying a command answered, as the bytes its proposer is sent. */
    public static byte[] encodeResult(Object result) {
        ByteBuffer out = ByteBuffer.allocate(1 + 8);
        switch (result) {
            case Long offset -> out.put(OFFSET).putLong(offset);
            case StreamPartition.AlreadyWritten w -> out.put(ALREADY_WRITTEN).putLong(w.baseOffset());
            case StreamPartition.SequenceGap g -> out.put(SEQUENCE_GAP).putInt(g.expected());
            case StreamPartition.ProducerFenced f -> out.put(FENCED).putShort(f.currentEpoch());
            default -> throw new IllegalArgumentException("not an answer of a partition command: " + result);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** The answer for a change that is made and has nothing more to say (a group's offsets). */
    public static byte[] done() {
        return new byte[] {DONE};
    }

    /**
     * Checks the answer to a change with nothing more to say.
     *
     * @throws BrokerException RESOURCE_ERROR if the leader could not make it, or restarted before it answered
     */
    public static void checkDone(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] != DONE) {
            decodeResult(null, bytes);
        }
    }

    /** The answer for a command whose partition no longer exists on the replica that applied it. */
    public static byte[] gone() {
        return new byte[] {GONE};
    }

    /** The answer for a command the leader could not apply (its log failed); the proposer is told to try again. */
    public static byte[] failed(String why) {
        byte[] text = why.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(FAILED).put(text).array();
    }

    /**
     * What {@code command}'s proposer is answered, as {@link StreamPartition#apply} answers it
     * (an {@link StreamPartition.Appended} carries a completed future).
     *
     * @throws BrokerException NOT_FOUND if the partition is gone, RESOURCE_ERROR if the leader could not apply it
     */
    public static Object decodeResult(PartitionCommand command, byte[] bytes) {
        if (bytes.length == 0) {
            // A command applied before its leader restarted: its answer was given then.
            throw new BrokerException(BrokerException.Kind.RESOURCE_ERROR, "the partition's leader restarted; try again");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte kind = in.get();
        return switch (kind) {
            case OFFSET -> {
                long offset = in.getLong();
                yield command instanceof PartitionCommand.AppendIdempotent
                        ? new StreamPartition.Appended(CompletableFuture.completedFuture(offset)) : (Object) offset;
            }
            case ALREADY_WRITTEN -> new StreamPartition.AlreadyWritten(in.getLong());
            case SEQUENCE_GAP -> new StreamPartition.SequenceGap(in.getInt());
            case FENCED -> new StreamPartition.ProducerFenced(in.getShort());
            case GONE -> throw BrokerException.notFound("the partition was deleted");
            case FAILED -> throw new BrokerException(BrokerException.Kind.RESOURCE_ERROR, "the partition's leader could not write: "
                    + new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8));
            default -> throw new MalformedDataException("unknown answer " + kind + " to a partition command");
        };
    }
}
