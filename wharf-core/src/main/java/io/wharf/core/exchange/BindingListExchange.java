package io.wharf.core.exchange;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An exchange whose routing ignores the binding key and looks at every binding: fanout and random. */
abstract class BindingListExchange extends Exchange {

    protected final List<Binding> all = new CopyOnWriteArrayList<>();

    BindingListExchange(ExchangeDefinition definition) {
        super(definition);
    }

    @Override
    protected final void added(Binding b) {
        all.add(b);
    }

    @Override
    protected final void removed(Binding b) {
        all.remove(b);
    }
}
