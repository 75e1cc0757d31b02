package io.wharf.cluster;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Several commands carried in one entry of a data group's log, or their answers in one reply: a
 * count, then each as a length and its bytes. One entry for many commands spreads the cost of a
 * Raft round (the leader's and the followers' appends and fsyncs) over all of them. Stateless.
 */
final class CommandBatch {

    private CommandBatch() {
    }

    static byte[] encode(List<byte[]> items) {
        int size = 4;
        for (byte[] item : items) {
            size += 4 + item.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(items.size());
        for (byte[] item : items) {
            out.putInt(item.length).put(item);
        }
        return out.array();
    }

    /** @throws IllegalArgumentException if {@code bytes} are not a batch */
    static List<byte[]> decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int count = in.getInt();
            if (count < 0 || count > bytes.length) {
                throw new IllegalArgumentException("a batch of " + count + " commands in " + bytes.length + " bytes");
            }
            List<byte[]> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] item = new byte[in.getInt()];
                in.get(item);
                items.add(item);
            }
            return items;
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("not a batch of commands: " + e, e);
        }
    }
}
