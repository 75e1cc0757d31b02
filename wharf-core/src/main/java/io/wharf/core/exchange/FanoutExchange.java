package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Routes every message to every binding, whatever its key. */
final class FanoutExchange extends Exchange {

    private final List<Binding> all = new CopyOnWriteArrayList<>();

    FanoutExchange(ExchangeDefinition definition) {
        super(definition);
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        all.forEach(matched);
    }

    @Override
    protected void added(Binding b) {
        all.add(b);
    }

    @Override
    protected void removed(Binding b) {
        all.remove(b);
    }
}
