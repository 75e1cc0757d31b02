package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** Routes each message to one binding chosen at random, whatever its key: load spread across queues. */
final class RandomExchange extends BindingListExchange {

    RandomExchange(ExchangeDefinition definition) {
        super(definition);
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        Object[] snapshot = all.toArray();
        if (snapshot.length > 0) {
            matched.accept((Binding) snapshot[ThreadLocalRandom.current().nextInt(snapshot.length)]);
        }
    }
}
