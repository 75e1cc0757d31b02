package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;

/** Builds byte arrays with the codec's writers, for tests. */
final class Wire {

    private Wire() {
    }

    static byte[] bytes(Consumer<ByteBuf> writer) {
        ByteBuf buf = Unpooled.buffer();
        try {
            writer.accept(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static byte[] methodFrame(int channel, Method method) {
        return bytes(out -> Frames.writeMethod(out, channel, method));
    }

    static byte[] args(Method method) {
        return bytes(method::write);
    }

    /** A frame with any type, channel and payload, correctly framed. */
    static byte[] frame(int type, int channel, byte[] payload) {
        return bytes(out -> out.writeByte(type).writeShort(channel).writeInt(payload.length).writeBytes(payload)
                .writeByte(AmqpConstants.FRAME_END));
    }

    /** A method frame with arbitrary argument bytes. */
    static byte[] rawMethodFrame(int channel, int classId, int methodId, byte[] args) {
        return frame(AmqpConstants.METHOD, channel,
                bytes(out -> out.writeShort(classId).writeShort(methodId).writeBytes(args)));
    }

    static byte[] concat(byte[]... parts) {
        return bytes(out -> {
            for (byte[] p : parts) {
                out.writeBytes(p);
            }
        });
    }
}
