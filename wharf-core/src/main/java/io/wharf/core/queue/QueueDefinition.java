package io.wharf.core.queue;

import io.wharf.core.exchange.FieldValues;

import java.util.Map;

/**
 * What a queue was declared as.
 *
 * @param name       the queue's name
 * @param durable    whether it and its persistent messages survive a restart
 * @param exclusive  whether only its declaring connection may use it, and it goes with that connection
 * @param autoDelete whether it is deleted when its last consumer goes
 * @param arguments  declaration arguments; never null
 */
public record QueueDefinition(String name, boolean durable, boolean exclusive, boolean autoDelete,
                              Map<String, Object> arguments) {

    public QueueDefinition {
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
    }

    /**
     * Whether the queue and its persistent messages outlive the broker: durable and not exclusive,
     * since an exclusive queue goes with its connection anyway.
     */
    public boolean persistent() {
        return durable && !exclusive;
    }

    /**
     * Why a redeclaration with {@code other} does not name this queue, in RabbitMQ's words after
     * "inequivalent arg '", or null if it does.
     */
    public String inequivalence(QueueDefinition other) {
        if (durable != other.durable) {
            return "durable' received '" + other.durable + "' but current is '" + durable + "'";
        }
        if (exclusive != other.exclusive) {
            return "exclusive' received '" + other.exclusive + "' but current is '" + exclusive + "'";
        }
        if (autoDelete != other.autoDelete) {
            return "auto_delete' received '" + other.autoDelete + "' but current is '" + autoDelete + "'";
        }
        for (String arg : QueueArguments.SIGNIFICANT) {
            if (!FieldValues.valuesEqual(arguments.get(arg), other.arguments.get(arg))) {
                return arg + "' received '" + other.arguments.get(arg) + "' but current is '" + arguments.get(arg) + "'";
            }
        }
        return null;
    }
}
