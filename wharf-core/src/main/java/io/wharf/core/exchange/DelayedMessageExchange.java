package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.function.Consumer;

/**
 * An exchange of type {@code x-delayed-message}: routes like its {@code x-delayed-type}, but a
 * message with a positive {@code x-delay} header (milliseconds) is held by the virtual host until
 * its time and only then routed. This class does the routing; holding is the virtual host's.
 */
public final class DelayedMessageExchange extends Exchange {

    public static final String DELAY_HEADER = "x-delay";

    private final Exchange inner;

    DelayedMessageExchange(ExchangeDefinition definition, Exchange inner) {
        super(definition);
        this.inner = inner;
    }

    /** The delay the message asks for in milliseconds, or 0 to route it now. */
    public static long delayOf(Message m) {
        Long d = FieldValues.asLong(m.headers().get(DELAY_HEADER));
        return d == null || d <= 0 ? 0 : d;
    }

    @Override
    public void validate(Binding b) {
        inner.validate(b);
    }

    /** Routes as the underlying type would, ignoring any delay. */
    @Override
    public void route(Message m, Consumer<Binding> matched) {
        inner.route(m, matched);
    }

    @Override
    protected void added(Binding b) {
        inner.bind(b);
    }

    @Override
    protected void removed(Binding b) {
        inner.unbind(b);
    }
}
