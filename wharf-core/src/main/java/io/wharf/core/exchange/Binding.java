package io.wharf.core.exchange;

import java.util.Map;

/**
 * A route from a source exchange to a queue or to another exchange, for messages whose routing
 * key or headers match. Two bindings are the same when all five parts are equal; binding twice is
 * harmless.
 *
 * @param source      the exchange messages come from
 * @param toExchange  whether {@code destination} names an exchange rather than a queue
 * @param destination the queue or exchange messages go to
 * @param routingKey  the binding key the exchange type interprets
 * @param arguments   binding arguments (headers to match, for instance); never null
 */
public record Binding(String source, boolean toExchange, String destination, String routingKey,
                      Map<String, Object> arguments) {

    public Binding {
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
    }

    public static Binding toQueue(String exchange, String queue, String routingKey, Map<String, Object> arguments) {
        return new Binding(exchange, false, queue, routingKey, arguments);
    }

    public static Binding toExchange(String source, String destination, String routingKey, Map<String, Object> arguments) {
        return new Binding(source, true, destination, routingKey, arguments);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Binding b && toExchange == b.toExchange && source.equals(b.source)
                && destination.equals(b.destination) && routingKey.equals(b.routingKey)
                && FieldValues.tablesEqual(arguments, b.arguments);
    }

    @Override
    public int hashCode() {
        return ((source.hashCode() * 31 + destination.hashCode()) * 31 + routingKey.hashCode()) * 31 + (toExchange ? 1 : 0);
    }
}
