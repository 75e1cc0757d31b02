package io.wharf.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * What a replicated group does with the commands its members agreed on. Every member applies
 * every committed command, in the order of the group's log, so members that start from the same
 * state reach the same state.
 *
 * <p>Called on the group's one apply thread, one command at a time: an implementation hands the
 * command to the owner of the state it changes, in the order given, and returns at once; the
 * future completes once that owner has applied it. The group keeps no snapshot yet: after a
 * restart it applies its log again from the first command, so an applier must start from the
 * empty state, not from state it kept itself.
 */
public interface CommandApplier {

    /**
     * Applies the command at {@code index} of the group's log; the future completes with what the
     * proposer is told. Neither this method nor the future fails: a command that changes nothing
     * (a definition that exists already, one deleted meanwhile) completes with a result saying so;
     * anything a command depends on was decided and checked before it was proposed.
     */
    CompletableFuture<byte[]> apply(long index, byte[] command);
}
