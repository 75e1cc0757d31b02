package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;

/** The methods of RabbitMQ's confirm class (85), which turns on publisher confirms for a channel. */
public sealed interface ConfirmMethod extends Method {

    int CLASS_ID = 85;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** confirm.select (10). */
    record Select(boolean noWait) implements ConfirmMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeByte(bit(noWait, 0));
        }

        static Select read(ArgReader in) {
            return new Select(in.bit());
        }
    }

    /** confirm.select-ok (11). */
    record SelectOk() implements ConfirmMethod {

        static final SelectOk INSTANCE = new SelectOk();

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static SelectOk read(ArgReader in) {
            return INSTANCE;
        }
    }
}
