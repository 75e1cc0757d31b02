package io.wharf.core.session;

import java.net.InetAddress;

/**
 * A SASL mechanism clients may log in with, a plug-in of {@link Authentication}. Each login runs
 * one {@link Exchange}: PLAIN and AMQPLAIN take one response; mechanisms such as SCRAM send
 * challenges and take several.
 */
public interface SaslMechanism {

    /** The name clients ask for, as SASL and AMQP spell it. */
    String name();

    /** Starts one client's login from {@code from} (null if unknown). */
    Exchange start(Authentication authentication, InetAddress from);

    /** One login under way. Confined to the thread of the connection logging in. */
    interface Exchange {

        /** Takes the client's next response, and answers with a challenge or the outcome. */
        Login respond(byte[] response);
    }
}
