package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** The methods of the channel class (20), which open, pause and close channels. */
public sealed interface ChannelMethod extends Method {

    int CLASS_ID = 20;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** channel.open (10); the reserved field was out-of-band. */
    record Open(String reserved1) implements ChannelMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, reserved1);
        }

        static Open read(ArgReader in) {
            return new Open(in.shortStr());
        }
    }

    /** channel.open-ok (11); the reserved field was channel-id. */
    record OpenOk(byte[] reserved1) implements ChannelMethod {

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.longStr(out, reserved1);
        }

        static OpenOk read(ArgReader in) {
            return new OpenOk(in.longStr());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OpenOk ok && Arrays.equals(reserved1, ok.reserved1);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(reserved1);
        }

        @Override
        public String toString() {
            return "OpenOk[reserved1=" + Arrays.toString(reserved1) + "]";
        }
    }

    /** channel.flow (20): asks the peer to stop or resume sending content. */
    record Flow(boolean active) implements ChannelMethod {

        @Override
        public int methodId() {
            return 20;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeByte(bit(active, 0));
        }

        static Flow read(ArgReader in) {
            return new Flow(in.bit());
        }
    }

    /** channel.flow-ok (21). */
    record FlowOk(boolean active) implements ChannelMethod {

        @Override
        public int methodId() {
            return 21;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeByte(bit(active, 0));
        }

        static FlowOk read(ArgReader in) {
            return new FlowOk(in.bit());
        }
    }

    /**
     * channel.close (40).
     *
     * @param failingClassId  the class of the method that caused the close, or 0
     * @param failingMethodId the method that caused the close, or 0
     */
    record Close(int replyCode, String replyText, int failingClassId, int failingMethodId) implements ChannelMethod {

        @Override
        public int methodId() {
            return 40;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(replyCode);
            ArgWriter.shortStr(out, replyText);
            out.writeShort(failingClassId);
            out.writeShort(failingMethodId);
        }

        static Close read(ArgReader in) {
            return new Close(in.shortInt(), in.shortStr(), in.shortInt(), in.shortInt());
        }
    }

    /** channel.close-ok (41). */
    record CloseOk() implements ChannelMethod {

        static final CloseOk INSTANCE = new CloseOk();

        @Override
        public int methodId() {
            return 41;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static CloseOk read(ArgReader in) {
            return INSTANCE;
        }
    }
}
