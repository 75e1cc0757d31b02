package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.auth.Client;
import io.wharf.core.auth.Permission.Access;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.message.Message;

/**
 * What a message must satisfy before it is routed, whatever protocol brought it: the publisher
 * may write to the exchange, the exchange is not internal, and an expiration is a non-negative
 * integer, as RabbitMQ requires. Stateless.
 */
final class PublishChecks {

    /** The resource name RabbitMQ checks write permission on for the default exchange. */
    private static final String DEFAULT_EXCHANGE_RESOURCE = "amq.default";

    private PublishChecks() {
    }

    /**
     * @throws BrokerException ACCESS_REFUSED for an internal exchange or a missing write
     *                         permission, PRECONDITION_FAILED for a malformed expiration
     */
    static void check(String vhost, Exchange ex, Message m, Client client) {
        client.check(vhost, Access.WRITE, "exchange", m.exchange().isEmpty() ? DEFAULT_EXCHANGE_RESOURCE : m.exchange());
        if (ex.definition().internal()) {
            throw BrokerException.accessRefused("cannot publish to internal exchange '" + m.exchange() + "' in vhost '" + vhost + "'");
        }
        String expiration = m.properties().expiration();
        if (expiration != null && !isNonNegativeInteger(expiration)) {
            throw BrokerException.preconditionFailed("invalid expiration '" + expiration + "': no_integer");
        }
    }

    private static boolean isNonNegativeInteger(String text) {
        try {
            return Long.parseLong(text) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
