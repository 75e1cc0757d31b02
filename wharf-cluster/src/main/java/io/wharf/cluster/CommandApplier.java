package io.wharf.cluster;

/**
 * What a replicated group does with the commands its members agreed on. Every member applies
 * every committed command, in the order of the group's log, so members that start from the same
 * state reach the same state.
 *
 * <p>Called on the group's one apply thread, one command at a time; an implementation hands work
 * to the owners of the state it changes and must not block for long. After a restart the group
 * applies its log again from the first command, so an applier starts from the empty state.
 */
public interface CommandApplier {

    /**
     * Applies the command at {@code index} of the group's log, and returns what the proposer is
     * told. It must not throw: a command that changes nothing (a definition that exists already,
     * one deleted meanwhile) returns a result saying so; anything a command depends on was decided
     * and checked before it was proposed.
     */
    byte[] apply(long index, byte[] command);
}
