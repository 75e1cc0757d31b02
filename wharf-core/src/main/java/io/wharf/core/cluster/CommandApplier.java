package io.wharf.core.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a replicated group does with the commands its members agreed on. Every member applies
 * every committed command, in the order of the group's log, so members that start from the same
 * state reach the same state.
 *
 * <p>Called on the group's one apply thread, one command at a time: an implementation hands the
 * command to the owner of the state it changes, in the order given, and returns at once; the
 * future completes once that owner has applied it.
 *
 * <p>After a restart the group goes through its log again from the first command. Commands up to
 * {@link #durableIndex()} are skipped: their effects are in state the applier kept itself. An
 * applier that keeps nothing starts from the empty state and is given every command again.
 */
public interface CommandApplier {

    /**
     * Applies the command at {@code index} of the group's log; the future completes with what the
     * proposer is told. Neither this method nor the future fails: a command that changes nothing
     * (a definition that exists already, one deleted meanwhile) completes with a result saying so;
     * anything a command depends on was decided and checked before it was proposed.
     */
    CompletableFuture<byte[]> apply(long index, byte[] command);

    /**
     * Applies several commands that came in one entry of the group's log, at {@code index}, in
     * the order given, as {@link #apply} applies one; the future completes with their answers in
     * the same order. An applier that keeps state of its own must count the entry as applied only
     * once all of them are.
     */
    default CompletableFuture<List<byte[]>> applyAll(long index, List<byte[]> commands) {
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (byte[] c : commands) {
            answers.add(apply(index, c));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(v -> answers.stream().map(CompletableFuture::join).toList());
    }

    /**
     * The last log index up to which the applier's own durable state holds the effects of every
     * command, without a gap (applies that finish out of order across owners count only once
     * those before them have finished); read once when the node starts; 0 if it keeps none. It is
     * stored with those effects, so that a crash between the two cannot make a command look
     * applied when it is not; and it belongs with this node's Raft log: state kept from a log
     * that was since wiped would skip new commands.
     */
    default long durableIndex() {
        return 0;
    }
}
