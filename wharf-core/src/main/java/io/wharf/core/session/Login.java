package io.wharf.core.session;

import io.wharf.core.auth.User;

/** Where a client's login stands after its last response. */
public sealed interface Login {

    /** How a login ended; a login by name and password ends at once, with one of these. */
    sealed interface Outcome extends Login {
    }

    /** The client is the user. */
    record Accepted(User user) implements Outcome {
    }

    /** The mechanism needs another response; the adapter sends the challenge the way its protocol does. */
    record Challenge(byte[] challenge) implements Login {
    }

    /**
     * The login failed.
     *
     * @param login  the name the client gave, or null
     * @param reason for the broker's log: clients are told only that the login was refused, so
     *               that a guesser does not learn which part was wrong
     */
    record Refused(String login, String reason) implements Outcome {
    }
}
