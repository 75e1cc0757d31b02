package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * The methods of the exchange class (40), including RabbitMQ's exchange-to-exchange bind and unbind. The
 * {@code reserved1} arguments were access tickets.
 */
public sealed interface ExchangeMethod extends Method {

    int CLASS_ID = 40;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** exchange.declare (10). */
    record Declare(int reserved1, String exchange, String type, boolean passive, boolean durable,
                   boolean autoDelete, boolean internal, boolean noWait, Map<String, Object> arguments)
            implements ExchangeMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, type);
            out.writeByte(bit(passive, 0) | bit(durable, 1) | bit(autoDelete, 2) | bit(internal, 3)
                    | bit(noWait, 4));
            ArgWriter.table(out, arguments);
        }

        static Declare read(ArgReader in) {
            return new Declare(in.shortInt(), in.shortStr(), in.shortStr(), in.bit(), in.bit(), in.bit(), in.bit(),
                    in.bit(), in.table());
        }
    }

    /** exchange.declare-ok (11). */
    record DeclareOk() implements ExchangeMethod {

        static final DeclareOk INSTANCE = new DeclareOk();

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static DeclareOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** exchange.delete (20). */
    record Delete(int reserved1, String exchange, boolean ifUnused, boolean noWait) implements ExchangeMethod {

        @Override
        public int methodId() {
            return 20;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, exchange);
            out.writeByte(bit(ifUnused, 0) | bit(noWait, 1));
        }

        static Delete read(ArgReader in) {
            return new Delete(in.shortInt(), in.shortStr(), in.bit(), in.bit());
        }
    }

    /** exchange.delete-ok (21). */
    record DeleteOk() implements ExchangeMethod {

        static final DeleteOk INSTANCE = new DeleteOk();

        @Override
        public int methodId() {
            return 21;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static DeleteOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** exchange.bind (30): routes messages from the source exchange to the destination exchange. */
    record Bind(int reserved1, String destination, String source, String routingKey, boolean noWait,
                Map<String, Object> arguments) implements ExchangeMethod {

        @Override
        public int methodId() {
            return 30;
        }

        @Override
        public void write(ByteBuf out) {
            writeBinding(out, reserved1, destination, source, routingKey, noWait, arguments);
        }

        static Bind read(ArgReader in) {
            return new Bind(in.shortInt(), in.shortStr(), in.shortStr(), in.shortStr(), in.bit(), in.table());
        }
    }

    /** exchange.bind-ok (31). */
    record BindOk() implements ExchangeMethod {

        static final BindOk INSTANCE = new BindOk();

        @Override
        public int methodId() {
            return 31;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static BindOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** exchange.unbind (40). */
    record Unbind(int reserved1, String destination, String source, String routingKey, boolean noWait,
                  Map<String, Object> arguments) implements ExchangeMethod {

        @Override
        public int methodId() {
            return 40;
        }

        @Override
        public void write(ByteBuf out) {
            writeBinding(out, reserved1, destination, source, routingKey, noWait, arguments);
        }

        static Unbind read(ArgReader in) {
            return new Unbind(in.shortInt(), in.shortStr(), in.shortStr(), in.shortStr(), in.bit(), in.table());
        }
    }

    /** exchange.unbind-ok (51, not 41: RabbitMQ's extension numbers it so). */
    record UnbindOk() implements ExchangeMethod {

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

    private static void writeBinding(ByteBuf out, int reserved1, String destination, String source,
                                     String routingKey, boolean noWait, Map<String, Object> arguments) {
        out.writeShort(reserved1);
        ArgWriter.shortStr(out, destination);
        ArgWriter.shortStr(out, source);
        ArgWriter.shortStr(out, routingKey);
        out.writeByte(bit(noWait, 0));
        ArgWriter.table(out, arguments);
    }
}
