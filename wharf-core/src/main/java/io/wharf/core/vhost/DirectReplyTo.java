package io.wharf.core.vhost;

import io.wharf.core.message.Message;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Direct reply-to: request/reply without a reply queue. A client consuming from the pseudo-queue
 * {@code amq.rabbitmq.reply-to} gets a private address; replies published to the default exchange
 * with that address as routing key go straight to it, unqueued and unacknowledged.
 */
public final class DirectReplyTo {

    public static final String PSEUDO_QUEUE = "amq.rabbitmq.reply-to";
    public static final String ADDRESS_PREFIX = PSEUDO_QUEUE + ".";

    /** The receiving end, implemented by the protocol adapter. Must not block. */
    public interface Receiver {
        void deliverReply(Message reply);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();

    /** Registers a receiver; returns the address to put in reply_to. */
    public String register(Receiver r) {
        byte[] token = new byte[18];
        RANDOM.nextBytes(token);
        String address = ADDRESS_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        receivers.put(address, r);
        return address;
    }

    public void unregister(String address) {
        receivers.remove(address);
    }

    /**
     * Whether {@code name} can be declared passively: the pseudo-queue always, as RabbitMQ answers
     * it for clients that probe for direct reply-to, and an address while its consumer is there.
     */
    public boolean declarable(String name) {
        return name.equals(PSEUDO_QUEUE) || receivers.containsKey(name);
    }

    /** Delivers a reply; false if nobody listens at the address (any more). */
    boolean deliver(String address, Message reply) {
        Receiver r = receivers.get(address);
        if (r == null) {
            return false;
        }
        r.deliverReply(reply);
        return true;
    }
}
