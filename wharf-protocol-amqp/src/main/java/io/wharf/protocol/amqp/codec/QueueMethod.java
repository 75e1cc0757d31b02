package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/** The methods of the queue class (50). The {@code reserved1} arguments were access tickets. */
public sealed interface QueueMethod extends Method {

    int CLASS_ID = 50;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** queue.declare (10); an empty name asks the server to choose one. */
    record Declare(int reserved1, String queue, boolean passive, boolean durable, boolean exclusive,
                   boolean autoDelete, boolean noWait, Map<String, Object> arguments) implements QueueMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            out.writeByte(bit(passive, 0) | bit(durable, 1) | bit(exclusive, 2) | bit(autoDelete, 3)
                    | bit(noWait, 4));
            ArgWriter.table(out, arguments);
        }

        static Declare read(ArgReader in) {
            return new Declare(in.shortInt(), in.shortStr(), in.bit(), in.bit(), in.bit(), in.bit(), in.bit(),
                    in.table());
        }
    }

    /** queue.declare-ok (11). */
    record DeclareOk(String queue, int messageCount, int consumerCount) implements QueueMethod {

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, queue);
            out.writeInt(messageCount);
            out.writeInt(consumerCount);
        }

        static DeclareOk read(ArgReader in) {
            return new DeclareOk(in.shortStr(), in.longInt(), in.longInt());
        }
    }

    /** queue.bind (20). */
    record Bind(int reserved1, String queue, String exchange, String routingKey, boolean noWait,
                Map<String, Object> arguments) implements QueueMethod {

        @Override
        public int methodId() {
            return 20;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, routingKey);
            out.writeByte(bit(noWait, 0));
            ArgWriter.table(out, arguments);
        }

        static Bind read(ArgReader in) {
            return new Bind(in.shortInt(), in.shortStr(), in.shortStr(), in.shortStr(), in.bit(), in.table());
        }
    }

    /** queue.bind-ok (21). */
    record BindOk() implements QueueMethod {

        static final BindOk INSTANCE = new BindOk();

        @Override
        public int methodId() {
            return 21;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static BindOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** queue.purge (30). */
    record Purge(int reserved1, String queue, boolean noWait) implements QueueMethod {

        @Override
        public int methodId() {
            return 30;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            out.writeByte(bit(noWait, 0));
        }

        static Purge read(ArgReader in) {
            return new Purge(in.shortInt(), in.shortStr(), in.bit());
        }
    }

    /** queue.purge-ok (31). */
    record PurgeOk(int messageCount) implements QueueMethod {

        @Override
        public int methodId() {
            return 31;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeInt(messageCount);
        }

        static PurgeOk read(ArgReader in) {
            return new PurgeOk(in.longInt());
        }
    }

    /** queue.delete (40). */
    record Delete(int reserved1, String queue, boolean ifUnused, boolean ifEmpty, boolean noWait)
            implements QueueMethod {

        @Override
        public int methodId() {
            return 40;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            out.writeByte(bit(ifUnused, 0) | bit(ifEmpty, 1) | bit(noWait, 2));
        }

        static Delete read(ArgReader in) {
            return new Delete(in.shortInt(), in.shortStr(), in.bit(), in.bit(), in.bit());
        }
    }

    /** queue.delete-ok (41). */
    record DeleteOk(int messageCount) implements QueueMethod {

        @Override
        public int methodId() {
            return 41;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeInt(messageCount);
        }

        static DeleteOk read(ArgReader in) {
            return new DeleteOk(in.longInt());
        }
    }

    /** queue.unbind (50); unlike bind it has no no-wait bit. */
    record Unbind(int reserved1, String queue, String exchange, String routingKey, Map<String, Object> arguments)
            implements QueueMethod {

        @Override
        public int methodId() {
            return 50;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, routingKey);
            ArgWriter.table(out, arguments);
        }

        static Unbind read(ArgReader in) {
            return new Unbind(in.shortInt(), in.shortStr(), in.shortStr(), in.shortStr(), in.table());
        }
    }

    /** queue.unbind-ok (51). */
    record UnbindOk() implements QueueMethod {

        static final UnbindOk INSTANCE = new UnbindOk();

        @Override
        public int methodId() {
            return 51;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static UnbindOk read(ArgReader in) {
            return INSTANCE;
        }
    }
}
