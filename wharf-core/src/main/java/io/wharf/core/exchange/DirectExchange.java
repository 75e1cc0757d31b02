package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Routes a message to the bindings whose key equals its routing key. */
final class DirectExchange extends Exchange {

    private final Map<String, List<Binding>> byKey = new ConcurrentHashMap<>();

    DirectExchange(ExchangeDefinition definition) {
        super(definition);
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        List<Binding> bs = byKey.get(m.routingKey());
        if (bs != null) {
            bs.forEach(matched);
        }
    }

    @Override
    protected void added(Binding b) {
        byKey.computeIfAbsent(b.routingKey(), k -> new CopyOnWriteArrayList<>()).add(b);
    }

    @Override
    protected void removed(Binding b) {
        byKey.computeIfPresent(b.routingKey(), (k, list) -> {
            list.remove(b);
            return list.isEmpty() ? null : list;
        });
    }
}
