package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.wharf.core.message.MalformedDataException;
import java.util.function.Function;

/** Decodes methods by class and method id, and names them. */
public final class Methods {

    private record Entry(String name, Function<ArgReader, Method> reader) {
    }

    private static final int MAX_CLASS_ID = TxMethod.CLASS_ID;
    private static final int MAX_METHOD_ID = 120;

    /** Indexed by class id, then method id; small enough that a direct lookup beats hashing on every frame. */
    private static final Entry[][] TABLE = new Entry[MAX_CLASS_ID + 1][];

    static {
        register(10, 10, "connection.start", ConnectionMethod.Start::read);
        register(10, 11, "connection.start-ok", ConnectionMethod.StartOk::read);
        register(10, 20, "connection.secure", ConnectionMethod.Secure::read);
        register(10, 21, "connection.secure-ok", ConnectionMethod.SecureOk::read);
        register(10, 30, "connection.tune", ConnectionMethod.Tune::read);
        register(10, 31, "connection.tune-ok", ConnectionMethod.TuneOk::read);
        register(10, 40, "connection.open", ConnectionMethod.Open::read);
        register(10, 41, "connection.open-ok", ConnectionMethod.OpenOk::read);
        register(10, 50, "connection.close", ConnectionMethod.Close::read);
        register(10, 51, "connection.close-ok", ConnectionMethod.CloseOk::read);
        register(10, 60, "connection.blocked", ConnectionMethod.Blocked::read);
        register(10, 61, "connection.unblocked", ConnectionMethod.Unblocked::read);
        register(10, 70, "connection.update-secret", ConnectionMethod.UpdateSecret::read);
        register(10, 71, "connection.update-secret-ok", ConnectionMethod.UpdateSecretOk::read);

        register(20, 10, "channel.open", ChannelMethod.Open::read);
        register(20, 11, "channel.open-ok", ChannelMethod.OpenOk::read);
        register(20, 20, "channel.flow", ChannelMethod.Flow::read);
        register(20, 21, "channel.flow-ok", ChannelMethod.FlowOk::read);
        register(20, 40, "channel.close", ChannelMethod.Close::read);
        register(20, 41, "channel.close-ok", ChannelMethod.CloseOk::read);

        register(30, 10, "access.request", AccessMethod.Request::read);
        register(30, 11, "access.request-ok", AccessMethod.RequestOk::read);

        register(40, 10, "exchange.declare", ExchangeMethod.Declare::read);
        register(40, 11, "exchange.declare-ok", ExchangeMethod.DeclareOk::read);
        register(40, 20, "exchange.delete", ExchangeMethod.Delete::read);
        register(40, 21, "exchange.delete-ok", ExchangeMethod.DeleteOk::read);
        register(40, 30, "exchange.bind", ExchangeMethod.Bind::read);
        register(40, 31, "exchange.bind-ok", ExchangeMethod.BindOk::read);
        register(40, 40, "exchange.unbind", ExchangeMethod.Unbind::read);
        register(40, 51, "exchange.unbind-ok", ExchangeMethod.UnbindOk::read);

        register(50, 10, "queue.declare", QueueMethod.Declare::read);
        register(50, 11, "queue.declare-ok", QueueMethod.DeclareOk::read);
        register(50, 20, "queue.bind", QueueMethod.Bind::read);
        register(50, 21, "queue.bind-ok", QueueMethod.BindOk::read);
        register(50, 30, "queue.purge", QueueMethod.Purge::read);
        register(50, 31, "queue.purge-ok", QueueMethod.PurgeOk::read);
        register(50, 40, "queue.delete", QueueMethod.Delete::read);
        register(50, 41, "queue.delete-ok", QueueMethod.DeleteOk::read);
        register(50, 50, "queue.unbind", QueueMethod.Unbind::read);
        register(50, 51, "queue.unbind-ok", QueueMethod.UnbindOk::read);

        register(60, 10, "basic.qos", BasicMethod.Qos::read);
        register(60, 11, "basic.qos-ok", BasicMethod.QosOk::read);
        register(60, 20, "basic.consume", BasicMethod.Consume::read);
        register(60, 21, "basic.consume-ok", BasicMethod.ConsumeOk::read);
        register(60, 30, "basic.cancel", BasicMethod.Cancel::read);
        register(60, 31, "basic.cancel-ok", BasicMethod.CancelOk::read);
        register(60, 40, "basic.publish", BasicMethod.Publish::read);
        register(60, 50, "basic.return", BasicMethod.Return::read);
        register(60, 60, "basic.deliver", BasicMethod.Deliver::read);
        register(60, 70, "basic.get", BasicMethod.Get::read);
        register(60, 71, "basic.get-ok", BasicMethod.GetOk::read);
        register(60, 72, "basic.get-empty", BasicMethod.GetEmpty::read);
        register(60, 80, "basic.ack", BasicMethod.Ack::read);
        register(60, 90, "basic.reject", BasicMethod.Reject::read);
        register(60, 100, "basic.recover-async", BasicMethod.RecoverAsync::read);
        register(60, 110, "basic.recover", BasicMethod.Recover::read);
        register(60, 111, "basic.recover-ok", BasicMethod.RecoverOk::read);
        register(60, 120, "basic.nack", BasicMethod.Nack::read);

        register(85, 10, "confirm.select", ConfirmMethod.Select::read);
        register(85, 11, "confirm.select-ok", ConfirmMethod.SelectOk::read);

        register(90, 10, "tx.select", in -> TxMethod.Select.INSTANCE);
        register(90, 11, "tx.select-ok", in -> TxMethod.SelectOk.INSTANCE);
        register(90, 20, "tx.commit", in -> TxMethod.Commit.INSTANCE);
        register(90, 21, "tx.commit-ok", in -> TxMethod.CommitOk.INSTANCE);
        register(90, 30, "tx.rollback", in -> TxMethod.Rollback.INSTANCE);
        register(90, 31, "tx.rollback-ok", in -> TxMethod.RollbackOk.INSTANCE);
    }

    private Methods() {
    }

    private static void register(int classId, int methodId, String name, Function<ArgReader, Method> reader) {
        if (TABLE[classId] == null) {
            TABLE[classId] = new Entry[MAX_METHOD_ID + 1];
        }
        TABLE[classId][methodId] = new Entry(name, reader);
    }

    private static Entry entry(int classId, int methodId) {
        if (classId < 0 || classId > MAX_CLASS_ID || methodId < 0 || methodId > MAX_METHOD_ID) {
            return null;
        }
        Entry[] methods = TABLE[classId];
        return methods == null ? null : methods[methodId];
    }

    /**
     * Decodes a method's arguments: all readable bytes of {@code args}, which this consumes.
     *
     * @throws AmqpException NOT_IMPLEMENTED for an unknown class or method; SYNTAX_ERROR for arguments that are
     *                       truncated, malformed (such as a short string that is not UTF-8) or followed by extra
     *                       bytes. Both close the connection; the channel is left 0 for the caller to fill in.
     */
    public static Method read(int classId, int methodId, ByteBuf args) {
        Entry entry = entry(classId, methodId);
        if (entry == null) {
            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, classId, methodId,
                    "unknown method class " + classId + " method " + methodId);
        }
        ArgReader in = new ArgReader(args);
        try {
            Method method = entry.reader.apply(in);
            in.end();
            return method;
        } catch (MalformedDataException e) {
            throw syntaxError(entry, classId, methodId, e.getMessage(), e);
        } catch (RuntimeException e) {
            // Values that parse but cannot be represented, such as a timestamp beyond Instant's range, are
            // malformed arguments too.
            throw syntaxError(entry, classId, methodId, e.toString(), e);
        }
    }

    private static AmqpException syntaxError(Entry entry, int classId, int methodId, String why, Throwable cause) {
        return new AmqpException(ReplyCode.SYNTAX_ERROR, "malformed " + entry.name + ": " + why, 0, classId,
                methodId, true, cause);
    }

    /** Whether AMQP 0-9-1 (with RabbitMQ's extensions) defines this method. */
    public static boolean isKnown(int classId, int methodId) {
        return entry(classId, methodId) != null;
    }

    /** The method's name, e.g. "basic.publish", or "class X method Y" for an unknown one. */
    public static String name(int classId, int methodId) {
        Entry entry = entry(classId, methodId);
        return entry == null ? "class " + classId + " method " + methodId : entry.name;
    }
}
