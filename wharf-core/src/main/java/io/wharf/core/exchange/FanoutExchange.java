package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.function.Consumer;

/** Routes every message to every binding, whatever its key. */
final class FanoutExchange extends BindingListExchange {

    FanoutExchange(ExchangeDefinition definition) {
        super(definition);
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        all.forEach(matched);
    }
}
