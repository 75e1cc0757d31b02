package io.wharf.cluster;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.util.concurrent.CompletableFuture;

/**
 * The Ratis state machine of one group: hands each committed command to the group's
 * {@link CommandApplier}. It keeps no snapshot yet, so Ratis keeps the group's whole log and
 * applies it again from the start when the node restarts.
 *
 * <p>Ratis calls {@link #applyTransaction} on the group's one apply thread, in log order.
 */
final class CommandStateMachine extends BaseStateMachine {

    private final CommandApplier applier;

    CommandStateMachine(CommandApplier applier) {
        this.applier = applier;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] command = entry.getStateMachineLogEntry().getLogData().toByteArray();
        // An applier that throws is a bug that would make members differ: Ratis stops the group on it.
        byte[] result = applier.apply(entry.getIndex(), command);
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(result)));
    }
}
