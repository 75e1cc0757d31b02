package io.wharf.core.exchange;

import io.wharf.core.BrokerException;
import io.wharf.core.message.Message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Routes by message headers instead of the routing key. A binding's arguments name the headers
 * to match; {@code x-match} says whether all of them ({@code all}, the default) or any one
 * ({@code any}) must match, and the {@code -with-x} variants also compare headers that start with
 * {@code x-}. A binding value of void matches any value, as long as the header is present.
 */
final class HeadersExchange extends Exchange {

    private record Matcher(Binding binding, boolean any, boolean withX) {
    }

    private final List<Matcher> matchers = new CopyOnWriteArrayList<>();

    HeadersExchange(ExchangeDefinition definition) {
        super(definition);
    }

    @Override
    public void validate(Binding b) {
        Object mode = b.arguments().get("x-match");
        String m = mode == null ? "all" : FieldValues.asString(mode);
        if (m == null || !List.of("all", "any", "all-with-x", "any-with-x").contains(m)) {
            throw BrokerException.preconditionFailed("Invalid x-match field value " + mode
                    + "; expected one of [all, any, all-with-x, any-with-x]");
        }
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        Map<String, Object> headers = m.headers();
        for (Matcher matcher : matchers) {
            if (matches(matcher, headers)) {
                matched.accept(matcher.binding());
            }
        }
    }

    private static boolean matches(Matcher matcher, Map<String, Object> headers) {
        boolean anyMatched = false;
        for (Map.Entry<String, Object> arg : matcher.binding().arguments().entrySet()) {
            String key = arg.getKey();
            if (key.equals("x-match") || (!matcher.withX() && key.startsWith("x-"))) {
                continue;
            }
            boolean present = headers.containsKey(key);
            boolean ok = present && (arg.getValue() == null || FieldValues.valuesEqual(arg.getValue(), headers.get(key)));
            if (matcher.any() && ok) {
                return true;
            }
            if (!matcher.any() && !ok) {
                return false;
            }
            anyMatched |= ok;
        }
        return !matcher.any() || anyMatched;
    }

    @Override
    protected void added(Binding b) {
        String mode = FieldValues.asString(b.arguments().getOrDefault("x-match", "all"));
        matchers.add(new Matcher(b, mode.startsWith("any"), mode.endsWith("-with-x")));
    }

    @Override
    protected void removed(Binding b) {
        matchers.removeIf(m -> m.binding().equals(b));
    }
}
