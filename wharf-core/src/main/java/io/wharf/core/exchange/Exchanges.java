package io.wharf.core.exchange;

import io.wharf.core.BrokerException;

import java.util.Set;

/** Creates exchanges by type name. */
public final class Exchanges {

    public static final String DIRECT = "direct";
    public static final String FANOUT = "fanout";
    public static final String TOPIC = "topic";
    public static final String HEADERS = "headers";
    public static final String CONSISTENT_HASH = "x-consistent-hash";
    public static final String RANDOM = "x-random";
    public static final String DELAYED = "x-delayed-message";

    public static final Set<String> TYPES = Set.of(DIRECT, FANOUT, TOPIC, HEADERS, CONSISTENT_HASH, RANDOM, DELAYED);

    private Exchanges() {
    }

    /**
     * @throws BrokerException COMMAND_INVALID for an unknown type, PRECONDITION_FAILED for bad arguments
     */
    public static Exchange create(ExchangeDefinition d) {
        return switch (d.type()) {
            case DIRECT -> new DirectExchange(d);
            case FANOUT -> new FanoutExchange(d);
            case TOPIC -> new TopicExchange(d);
            case HEADERS -> new HeadersExchange(d);
            case CONSISTENT_HASH -> new ConsistentHashExchange(d);
            case RANDOM -> new RandomExchange(d);
            case DELAYED -> {
                String innerType = FieldValues.asString(d.arguments().get("x-delayed-type"));
                if (innerType == null) {
                    throw BrokerException.preconditionFailed("Invalid argument, 'x-delayed-type' must be an existing exchange type");
                }
                if (innerType.equals(DELAYED) || !TYPES.contains(innerType)) {
                    throw BrokerException.preconditionFailed("Invalid argument, 'x-delayed-type' must be an existing exchange type, not '"
                            + innerType + "'");
                }
                ExchangeDefinition inner = new ExchangeDefinition(d.name(), innerType, d.durable(), d.autoDelete(),
                        d.internal(), d.arguments());
                yield new DelayedMessageExchange(d, create(inner));
            }
            default -> throw new BrokerException(BrokerException.Kind.COMMAND_INVALID,
                    "unknown exchange type '" + d.type() + "'");
        };
    }
}
