package io.wharf.core.queue;

import io.wharf.core.BrokerException;
import io.wharf.core.exchange.FieldValues;

import java.util.Map;
import java.util.Set;

/**
 * The {@code x-} arguments of a queue declaration, checked and typed. Unknown arguments are kept
 * but ignored, as RabbitMQ does.
 *
 * @param messageTtl         milliseconds a message may wait, or -1
 * @param expires            milliseconds an unused queue lives, or -1
 * @param maxLength          most ready messages kept, or -1
 * @param maxLengthBytes     most ready body bytes kept, or -1
 * @param overflow           what happens past a length limit
 * @param deadLetterExchange where dead messages go, or null
 * @param deadLetterRoutingKey the routing key they get, or null to keep theirs
 * @param maxPriority        highest message priority honoured, 0 for none
 * @param singleActiveConsumer whether only one consumer at a time receives messages
 */
public record QueueArguments(long messageTtl, long expires, long maxLength, long maxLengthBytes, Overflow overflow,
                             String deadLetterExchange, String deadLetterRoutingKey, int maxPriority,
                             boolean singleActiveConsumer) {

    /** What a queue does when a publish would take it past its length limits. */
    public enum Overflow {
        DROP_HEAD("drop-head"), REJECT_PUBLISH("reject-publish"), REJECT_PUBLISH_DLX("reject-publish-dlx");

        private final String text;

        Overflow(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** Arguments a redeclaration must repeat exactly. */
    static final Set<String> SIGNIFICANT = Set.of("x-message-ttl", "x-expires", "x-max-length", "x-max-length-bytes",
            "x-overflow", "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-priority",
            "x-single-active-consumer", "x-queue-type");

    public static final QueueArguments NONE = new QueueArguments(-1, -1, -1, -1, Overflow.DROP_HEAD, null, null, 0, false);

    /**
     * Parses declaration arguments.
     *
     * @param describe "queue 'q' in vhost '/'", for messages
     * @throws BrokerException PRECONDITION_FAILED naming the argument and the problem
     */
    public static QueueArguments parse(Map<String, Object> args, String describe) {
        long ttl = nonNegative(args, "x-message-ttl", describe);
        long expires = nonNegative(args, "x-expires", describe);
        if (expires == 0) {
            throw invalid("x-expires", describe, "it must be positive, got 0");
        }
        long maxLength = nonNegative(args, "x-max-length", describe);
        long maxLengthBytes = nonNegative(args, "x-max-length-bytes", describe);
        Overflow overflow = Overflow.DROP_HEAD;
        Object o = args.get("x-overflow");
        if (o != null) {
            String t = FieldValues.asString(o);
            overflow = null;
            for (Overflow v : Overflow.values()) {
                if (v.text.equals(t)) {
                    overflow = v;
                }
            }
            if (overflow == null) {
                throw invalid("x-overflow", describe, "it must be drop-head, reject-publish or reject-publish-dlx, got " + o);
            }
        }
        String dlx = string(args, "x-dead-letter-exchange", describe);
        String dlrk = string(args, "x-dead-letter-routing-key", describe);
        if (dlrk != null && dlx == null) {
            throw invalid("x-dead-letter-routing-key", describe, "it requires x-dead-letter-exchange");
        }
        long priority = nonNegative(args, "x-max-priority", describe);
        if (priority > 255) {
            throw invalid("x-max-priority", describe, "it must be at most 255, got " + priority);
        }
        Object sac = args.get("x-single-active-consumer");
        if (sac != null && !(sac instanceof Boolean)) {
            throw invalid("x-single-active-consumer", describe, "it must be a boolean, got " + sac);
        }
        Object type = args.get("x-queue-type");
        if (type != null && !"classic".equals(FieldValues.asString(type))) {
            throw invalid("x-queue-type", describe, "only classic queues are supported here, got " + type);
        }
        return new QueueArguments(ttl, expires, maxLength, maxLengthBytes, overflow, dlx, dlrk,
                (int) Math.max(priority, 0), Boolean.TRUE.equals(sac));
    }

    private static long nonNegative(Map<String, Object> args, String name, String describe) {
        Object v = args.get(name);
        if (v == null) {
            return -1;
        }
        if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
            throw invalid(name, describe, "it must be an integer, got " + describeValue(v));
        }
        long n = ((Number) v).longValue();
        if (n < 0) {
            throw invalid(name, describe, "it must not be negative, got " + n);
        }
        return n;
    }

    private static String string(Map<String, Object> args, String name, String describe) {
        Object v = args.get(name);
        if (v == null) {
            return null;
        }
        String s = FieldValues.asString(v);
        if (s == null) {
            throw invalid(name, describe, "it must be a string, got " + describeValue(v));
        }
        return s;
    }

    private static String describeValue(Object v) {
        return v instanceof byte[] b ? b.length + " bytes" : v + " (" + v.getClass().getSimpleName() + ")";
    }

    private static BrokerException invalid(String arg, String describe, String why) {
        return BrokerException.preconditionFailed("invalid arg '" + arg + "' for " + describe + ": " + why);
    }
}
