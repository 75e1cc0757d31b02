package io.wharf.core.session;

import java.net.InetAddress;

/**
 * A mechanism whose single response carries a user name and a password, checked as every
 * protocol's passwords are ({@link Authentication#password}).
 */
abstract class PasswordMechanism implements SaslMechanism {

    /** A user name and password read from a response; null fields when it is malformed. */
    record Credentials(String login, String password) {
    }

    /** Reads the credentials out of the response, as the mechanism encodes them. */
    abstract Credentials read(byte[] response);

    @Override
    public final Exchange start(Authentication authentication, InetAddress from) {
        return response -> {
            Credentials c = read(response);
            if (c.login() == null || c.password() == null) {
                return new Login.Refused(c.login(), "malformed " + name() + " response");
            }
            return authentication.password(c.login(), c.password(), from);
        };
    }
}
