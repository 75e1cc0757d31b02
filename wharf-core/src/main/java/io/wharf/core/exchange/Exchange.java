package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An exchange: routes each published message to the bindings that match it. Each type keeps its
 * own index of bindings for fast matching.
 *
 * <p>Threading: {@link #route} runs on any publishing thread, concurrently with itself and with
 * {@link #bind}/{@link #unbind}, which the virtual host serialises among themselves. Each type's
 * index is safe for that.
 */
public abstract class Exchange {

    private final ExchangeDefinition definition;
    private final Set<Binding> bindings = ConcurrentHashMap.newKeySet();

    protected Exchange(ExchangeDefinition definition) {
        this.definition = definition;
    }

    public final ExchangeDefinition definition() {
        return definition;
    }

    public final String name() {
        return definition.name();
    }

    /** Calls {@code matched} with every binding {@code m} matches; the same destination may come twice. */
    public abstract void route(Message m, Consumer<Binding> matched);

    /**
     * Checks a binding's key and arguments before it is added.
     *
     * @throws io.wharf.core.BrokerException if this type cannot use them
     */
    public void validate(Binding b) {
    }

    /** Adds a binding; false if it was there already. */
    public final boolean bind(Binding b) {
        if (!bindings.add(b)) {
            return false;
        }
        added(b);
        return true;
    }

    /** Removes a binding; false if it was not there. */
    public final boolean unbind(Binding b) {
        if (!bindings.remove(b)) {
            return false;
        }
        removed(b);
        return true;
    }

    public final Collection<Binding> bindings() {
        return List.copyOf(bindings);
    }

    public final boolean hasBindings() {
        return !bindings.isEmpty();
    }

    protected abstract void added(Binding b);

    protected abstract void removed(Binding b);

    @Override
    public String toString() {
        return definition.type() + " exchange '" + name() + "'";
    }
}
