package io.wharf.core.exchange;

import io.wharf.core.BrokerException;
import io.wharf.core.message.Message;
import io.wharf.core.message.MessageProperties;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Spreads messages over its bindings by a hash of the routing key, or of a header
 * ({@code hash-header} argument) or property ({@code hash-property}: message_id, correlation_id or
 * timestamp). Each binding's key is its weight: the number of points it owns on a hash ring.
 * Points depend only on the destination, so binding another queue moves only the keys that land
 * on its new points, and the same key always reaches the same queue while the bindings stay.
 */
final class ConsistentHashExchange extends Exchange {

    private volatile TreeMap<Integer, Binding> ring = new TreeMap<>();
    private final String hashHeader;
    private final String hashProperty;

    ConsistentHashExchange(ExchangeDefinition definition) {
        super(definition);
        this.hashHeader = FieldValues.asString(definition.arguments().get("hash-header"));
        this.hashProperty = FieldValues.asString(definition.arguments().get("hash-property"));
        if (hashHeader != null && hashProperty != null) {
            throw BrokerException.preconditionFailed("hash-header and hash-property cannot both be set");
        }
        if (hashProperty != null && !java.util.Set.of("message_id", "correlation_id", "timestamp").contains(hashProperty)) {
            throw BrokerException.preconditionFailed("hash-property must be message_id, correlation_id or timestamp, not '"
                    + hashProperty + "'");
        }
    }

    @Override
    public void validate(Binding b) {
        weightOf(b);
    }

    private static int weightOf(Binding b) {
        try {
            int w = Integer.parseInt(b.routingKey().trim());
            if (w >= 1 && w <= 1000) {
                return w;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw BrokerException.preconditionFailed("the binding key of a consistent-hash binding is its weight, "
                + "a whole number from 1 to 1000; got '" + b.routingKey() + "'");
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        TreeMap<Integer, Binding> r = ring;
        if (r.isEmpty()) {
            return;
        }
        int h = Murmur3.hash32(hashInput(m), 0);
        Map.Entry<Integer, Binding> e = r.ceilingEntry(h);
        matched.accept((e != null ? e : r.firstEntry()).getValue());
    }

    private byte[] hashInput(Message m) {
        String key;
        if (hashHeader != null) {
            Object v = m.headers().get(hashHeader);
            key = v == null ? "" : v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
        } else if (hashProperty != null) {
            MessageProperties p = m.properties();
            Object v = switch (hashProperty) {
                case "message_id" -> p.messageId();
                case "correlation_id" -> p.correlationId();
                default -> p.timestamp() == null ? null : p.timestamp().getEpochSecond();
            };
            key = v == null ? "" : String.valueOf(v);
        } else {
            key = m.routingKey();
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void added(Binding b) {
        rebuild();
    }

    @Override
    protected void removed(Binding b) {
        rebuild();
    }

    private void rebuild() {
        TreeMap<Integer, Binding> r = new TreeMap<>();
        for (Binding b : bindings()) {
            int weight = weightOf(b);
            byte[] dest = ((b.toExchange() ? "e:" : "q:") + b.destination()).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < weight; i++) {
                // A collision keeps the smaller destination, so the ring is the same whatever the binding order.
                int point = Murmur3.hash32(dest, i);
                r.merge(point, b, (x, y) -> x.destination().compareTo(y.destination()) <= 0 ? x : y);
            }
        }
        ring = r;
    }
}
