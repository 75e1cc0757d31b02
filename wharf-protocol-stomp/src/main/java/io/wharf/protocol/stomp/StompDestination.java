package io.wharf.protocol.stomp;

import io.wharf.core.BrokerException;
import io.wharf.core.message.Message;

/**
 * A STOMP destination, named as RabbitMQ's STOMP plugin names them:
 * <ul>
 *   <li>{@code /queue/<name>}: the queue of that name, declared durable if it is missing; sends
 *       go through the default exchange;</li>
 *   <li>{@code /amq/queue/<name>}: an existing queue, never declared;</li>
 *   <li>{@code /topic/<key>}: the {@code amq.topic} exchange with that routing or binding key;</li>
 *   <li>{@code /exchange/<exchange>/<key>}: any exchange, with that key (which may be empty);</li>
 *   <li>{@code /temp-queue/<name>}: in a {@code reply-to}, a queue of the connection's own;</li>
 *   <li>{@code /reply-queue/<name>}: the queue a reply-to named, for the replier.</li>
 * </ul>
 */
record StompDestination(Kind kind, String name, String key) {

    enum Kind { QUEUE, AMQ_QUEUE, TOPIC, EXCHANGE, TEMP_QUEUE, REPLY_QUEUE }

    static final String TOPIC_EXCHANGE = "amq.topic";

    /**
     * @throws BrokerException NOT_FOUND-style refusal (as a precondition failure) for a destination Wharf does not know
     */
    static StompDestination parse(String d) {
        if (d == null || d.isEmpty()) {
            throw BrokerException.preconditionFailed("a destination header is required");
        }
        if (d.startsWith("/queue/") && d.length() > 7) {
            return new StompDestination(Kind.QUEUE, d.substring(7), null);
        }
        if (d.startsWith("/amq/queue/") && d.length() > 11) {
            return new StompDestination(Kind.AMQ_QUEUE, d.substring(11), null);
        }
        if (d.startsWith("/topic/") && d.length() > 7) {
            return new StompDestination(Kind.TOPIC, TOPIC_EXCHANGE, d.substring(7));
        }
        if (d.startsWith("/exchange/") && d.length() > 10) {
            String rest = d.substring(10);
            int slash = rest.indexOf('/');
            return slash < 0 ? new StompDestination(Kind.EXCHANGE, rest, "")
                    : new StompDestination(Kind.EXCHANGE, rest.substring(0, slash), rest.substring(slash + 1));
        }
        if (d.startsWith("/temp-queue/") && d.length() > 12) {
            return new StompDestination(Kind.TEMP_QUEUE, d.substring(12), null);
        }
        if (d.startsWith("/reply-queue/") && d.length() > 13) {
            return new StompDestination(Kind.REPLY_QUEUE, d.substring(13), null);
        }
        throw BrokerException.preconditionFailed("'" + d + "' is not a valid destination; use /queue/, /amq/queue/, /topic/, "
                + "/exchange/, /temp-queue/ or /reply-queue/");
    }

    /** The exchange a SEND to this destination goes to. */
    String sendExchange() {
        return switch (kind) {
            case QUEUE, AMQ_QUEUE, REPLY_QUEUE, TEMP_QUEUE -> "";
            case TOPIC, EXCHANGE -> name;
        };
    }

    /** The routing key a SEND to this destination carries. */
    String sendRoutingKey() {
        return switch (kind) {
            case QUEUE, AMQ_QUEUE, REPLY_QUEUE, TEMP_QUEUE -> name;
            case TOPIC, EXCHANGE -> key;
        };
    }

    /** The destination a message is shown with in a MESSAGE frame: where it was sent, as STOMP names it. */
    static String of(Message m) {
        if (m.exchange().isEmpty()) {
            return "/queue/" + m.routingKey();
        }
        if (m.exchange().equals(TOPIC_EXCHANGE)) {
            return "/topic/" + m.routingKey();
        }
        return "/exchange/" + m.exchange() + "/" + m.routingKey();
    }
}
