package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * The methods of the basic class (60): consuming, publishing and acknowledging messages, with RabbitMQ's
 * nack. Publish, return, deliver and get-ok carry content. The {@code reserved1} short arguments were access
 * tickets.
 */
public sealed interface BasicMethod extends Method {

    int CLASS_ID = 60;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /**
     * basic.qos (10).
     *
     * @param prefetchSize unsigned 32-bit; 0 means no limit
     */
    record Qos(long prefetchSize, int prefetchCount, boolean global) implements BasicMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeInt((int) prefetchSize);
            out.writeShort(prefetchCount);
            out.writeByte(bit(global, 0));
        }

        static Qos read(ArgReader in) {
            return new Qos(in.longUnsigned(), in.shortInt(), in.bit());
        }
    }

    /** basic.qos-ok (11). */
    record QosOk() implements BasicMethod {

        static final QosOk INSTANCE = new QosOk();

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static QosOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** basic.consume (20); an empty consumer tag asks the server to choose one. */
    record Consume(int reserved1, String queue, String consumerTag, boolean noLocal, boolean noAck,
                   boolean exclusive, boolean noWait, Map<String, Object> arguments) implements BasicMethod {

        @Override
        public int methodId() {
            return 20;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            ArgWriter.shortStr(out, consumerTag);
            out.writeByte(bit(noLocal, 0) | bit(noAck, 1) | bit(exclusive, 2) | bit(noWait, 3));
            ArgWriter.table(out, arguments);
        }

        static Consume read(ArgReader in) {
            return new Consume(in.shortInt(), in.shortStr(), in.shortStr(), in.bit(), in.bit(), in.bit(), in.bit(),
                    in.table());
        }
    }

    /** basic.consume-ok (21). */
    record ConsumeOk(String consumerTag) implements BasicMethod {

        @Override
        public int methodId() {
            return 21;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, consumerTag);
        }

        static ConsumeOk read(ArgReader in) {
            return new ConsumeOk(in.shortStr());
        }
    }

    /** basic.cancel (30); the server sends it too, when a consumer's queue goes away. */
    record Cancel(String consumerTag, boolean noWait) implements BasicMethod {

        @Override
        public int methodId() {
            return 30;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, consumerTag);
            out.writeByte(bit(noWait, 0));
        }

        static Cancel read(ArgReader in) {
            return new Cancel(in.shortStr(), in.bit());
        }
    }

    /** basic.cancel-ok (31). */
    record CancelOk(String consumerTag) implements BasicMethod {

        @Override
        public int methodId() {
            return 31;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, consumerTag);
        }

        static CancelOk read(ArgReader in) {
            return new CancelOk(in.shortStr());
        }
    }

    /** basic.publish (40), followed by content. */
    record Publish(int reserved1, String exchange, String routingKey, boolean mandatory, boolean immediate)
            implements BasicMethod {

        @Override
        public int methodId() {
            return 40;
        }

        @Override
        public boolean hasContent() {
            return true;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, routingKey);
            out.writeByte(bit(mandatory, 0) | bit(immediate, 1));
        }

        static Publish read(ArgReader in) {
            return new Publish(in.shortInt(), in.shortStr(), in.shortStr(), in.bit(), in.bit());
        }
    }

    /** basic.return (50), followed by the content of a message that could not be routed or delivered. */
    record Return(int replyCode, String replyText, String exchange, String routingKey) implements BasicMethod {

        @Override
        public int methodId() {
            return 50;
        }

        @Override
        public boolean hasContent() {
            return true;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(replyCode);
            ArgWriter.shortStr(out, replyText);
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, routingKey);
        }

        static Return read(ArgReader in) {
            return new Return(in.shortInt(), in.shortStr(), in.shortStr(), in.shortStr());
        }
    }

    /** basic.deliver (60), followed by content. */
    record Deliver(String consumerTag, long deliveryTag, boolean redelivered, String exchange, String routingKey)
            implements BasicMethod {

        @Override
        public int methodId() {
            return 60;
        }

        @Override
        public boolean hasContent() {
            return true;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, consumerTag);
            out.writeLong(deliveryTag);
            out.writeByte(bit(redelivered, 0));
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, routingKey);
        }

        static Deliver read(ArgReader in) {
            return new Deliver(in.shortStr(), in.longLong(), in.bit(), in.shortStr(), in.shortStr());
        }
    }

    /** basic.get (70). */
    record Get(int reserved1, String queue, boolean noAck) implements BasicMethod {

        @Override
        public int methodId() {
            return 70;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(reserved1);
            ArgWriter.shortStr(out, queue);
            out.writeByte(bit(noAck, 0));
        }

        static Get read(ArgReader in) {
            return new Get(in.shortInt(), in.shortStr(), in.bit());
        }
    }

    /** basic.get-ok (71), followed by content. */
    record GetOk(long deliveryTag, boolean redelivered, String exchange, String routingKey, int messageCount)
            implements BasicMethod {

        @Override
        public int methodId() {
            return 71;
        }

        @Override
        public boolean hasContent() {
            return true;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeLong(deliveryTag);
            out.writeByte(bit(redelivered, 0));
            ArgWriter.shortStr(out, exchange);
            ArgWriter.shortStr(out, routingKey);
            out.writeInt(messageCount);
        }

        static GetOk read(ArgReader in) {
            return new GetOk(in.longLong(), in.bit(), in.shortStr(), in.shortStr(), in.longInt());
        }
    }

    /** basic.get-empty (72); the reserved field was cluster-id. */
    record GetEmpty(String reserved1) implements BasicMethod {

        @Override
        public int methodId() {
            return 72;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, reserved1);
        }

        static GetEmpty read(ArgReader in) {
            return new GetEmpty(in.shortStr());
        }
    }

    /** basic.ack (80); with publisher confirms the server sends it too. */
    record Ack(long deliveryTag, boolean multiple) implements BasicMethod {

        @Override
        public int methodId() {
            return 80;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeLong(deliveryTag);
            out.writeByte(bit(multiple, 0));
        }

        static Ack read(ArgReader in) {
            return new Ack(in.longLong(), in.bit());
        }
    }

    /** basic.reject (90). */
    record Reject(long deliveryTag, boolean requeue) implements BasicMethod {

        @Override
        public int methodId() {
            return 90;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeLong(deliveryTag);
            out.writeByte(bit(requeue, 0));
        }

        static Reject read(ArgReader in) {
            return new Reject(in.longLong(), in.bit());
        }
    }

    /** basic.recover-async (100), deprecated in favour of recover. */
    record RecoverAsync(boolean requeue) implements BasicMethod {

        @Override
        public int methodId() {
            return 100;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeByte(bit(requeue, 0));
        }

        static RecoverAsync read(ArgReader in) {
            return new RecoverAsync(in.bit());
        }
    }

    /** basic.recover (110). */
    record Recover(boolean requeue) implements BasicMethod {

        @Override
        public int methodId() {
            return 110;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeByte(bit(requeue, 0));
        }

        static Recover read(ArgReader in) {
            return new Recover(in.bit());
        }
    }

    /** basic.recover-ok (111). */
    record RecoverOk() implements BasicMethod {

        static final RecoverOk INSTANCE = new RecoverOk();

        @Override
        public int methodId() {
            return 111;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static RecoverOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** basic.nack (120), RabbitMQ's reject of many messages at once. */
    record Nack(long deliveryTag, boolean multiple, boolean requeue) implements BasicMethod {

        @Override
        public int methodId() {
            return 120;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeLong(deliveryTag);
            out.writeByte(bit(multiple, 0) | bit(requeue, 1));
        }

        static Nack read(ArgReader in) {
            return new Nack(in.longLong(), in.bit(), in.bit());
        }
    }
}
