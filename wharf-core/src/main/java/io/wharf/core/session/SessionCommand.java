package io.wharf.core.session;

/**
 * A change to the stored sessions of a virtual host; {@link SessionStore} applies them one at a
 * time, in order, so the same commands give the same sessions.
 */
public sealed interface SessionCommand {

    /** The protocol whose client ids the session belongs to ({@code mqtt}). */
    String protocol();

    String clientId();

    /** Adds a subscription to the session, or replaces the one with the same filter; creates the session if need be. */
    record Subscribe(String protocol, String clientId, SessionStore.Subscription subscription) implements SessionCommand {
    }

    /** Removes the session's subscription to {@code filter}, if it has one. */
    record Unsubscribe(String protocol, String clientId, String filter) implements SessionCommand {
    }

    /** Forgets the session: it ended, or its client started clean. */
    record Discard(String protocol, String clientId) implements SessionCommand {
    }
}
