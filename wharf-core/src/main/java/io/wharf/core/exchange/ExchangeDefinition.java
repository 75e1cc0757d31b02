package io.wharf.core.exchange;

import java.util.Map;

/**
 * What an exchange was declared as.
 *
 * @param name       the exchange name; "" is the default exchange
 * @param type       direct, fanout, topic, headers, x-consistent-hash, x-random or x-delayed-message
 * @param durable    whether it survives a restart
 * @param autoDelete whether it is deleted when its last binding as a source goes
 * @param internal   whether clients may not publish to it directly
 * @param arguments  declaration arguments; never null
 */
public record ExchangeDefinition(String name, String type, boolean durable, boolean autoDelete, boolean internal,
                                 Map<String, Object> arguments) {

    public ExchangeDefinition {
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
    }

    /** Arguments a redeclaration must repeat; any others are informational, as in RabbitMQ. */
    public static final java.util.Set<String> SIGNIFICANT_ARGUMENTS =
            java.util.Set.of("alternate-exchange", "x-delayed-type", "hash-header", "hash-property");

    /**
     * Why a redeclaration with {@code other} does not name the same exchange, as
     * "{@code <what>}': received '{@code <new>}' but current is '{@code <old>}'", or null if it does.
     */
    public String inequivalence(ExchangeDefinition other) {
        if (!type.equals(other.type)) {
            return "type' received '" + other.type + "' but current is '" + type + "'";
        }
        if (durable != other.durable) {
            return "durable' received '" + other.durable + "' but current is '" + durable + "'";
        }
        if (autoDelete != other.autoDelete) {
            return "auto_delete' received '" + other.autoDelete + "' but current is '" + autoDelete + "'";
        }
        if (internal != other.internal) {
            return "internal' received '" + other.internal + "' but current is '" + internal + "'";
        }
        for (String arg : SIGNIFICANT_ARGUMENTS) {
            if (!FieldValues.valuesEqual(arguments.get(arg), other.arguments.get(arg))) {
                return arg + "' received '" + other.arguments.get(arg) + "' but current is '" + arguments.get(arg) + "'";
            }
        }
        return null;
    }
}
