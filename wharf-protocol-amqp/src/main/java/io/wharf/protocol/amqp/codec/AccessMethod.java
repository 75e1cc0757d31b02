package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;

/**
 * The methods of the access class (30), left from AMQP 0-8 tickets. Old clients still send access.request;
 * the broker answers with a dummy ticket.
 */
public sealed interface AccessMethod extends Method {

    int CLASS_ID = 30;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** access.request (10). */
    record Request(String realm, boolean exclusive, boolean passive, boolean active, boolean write, boolean read)
            implements AccessMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, realm);
            out.writeByte(bit(exclusive, 0) | bit(passive, 1) | bit(active, 2) | bit(write, 3) | bit(read, 4));
        }

        static Request read(ArgReader in) {
            return new Request(in.shortStr(), in.bit(), in.bit(), in.bit(), in.bit(), in.bit());
        }
    }

    /** access.request-ok (11); the reserved field was the ticket. */
    record RequestOk(int reserved1) implements AccessMethod {

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
        }

        static RequestOk read(ArgReader in) {
            return new RequestOk(in.shortInt());
        }
    }
}
