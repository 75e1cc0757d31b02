package io.wharf.core.exchange;

import io.wharf.core.message.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Routes by pattern: binding keys are dot-separated words where {@code *} matches exactly one word
 * and {@code #} matches zero or more. Bindings live in a trie of words, so matching costs the
 * length of the routing key, not the number of bindings; MQTT subscriptions land here too.
 */
final class TopicExchange extends Exchange {

    private static final String ONE = "*";
    private static final String ANY = "#";

    private static final class Node {
        final Map<String, Node> children = new ConcurrentHashMap<>();
        final List<Binding> bindings = new CopyOnWriteArrayList<>();

        boolean isEmpty() {
            return children.isEmpty() && bindings.isEmpty();
        }
    }

    private final Node root = new Node();

    TopicExchange(ExchangeDefinition definition) {
        super(definition);
    }

    /** Splits a routing or binding key into words; the empty key has none. */
    static String[] words(String key) {
        if (key.isEmpty()) {
            return new String[0];
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= key.length(); i++) {
            if (i == key.length() || key.charAt(i) == '.') {
                out.add(key.substring(start, i));
                start = i + 1;
            }
        }
        return out.toArray(new String[0]);
    }

    @Override
    public void route(Message m, Consumer<Binding> matched) {
        match(root, words(m.routingKey()), 0, matched);
    }

    private static void match(Node node, String[] words, int i, Consumer<Binding> matched) {
        Node any = node.children.get(ANY);
        if (any != null) {
            for (int k = i; k <= words.length; k++) {
                match(any, words, k, matched);
            }
        }
        if (i == words.length) {
            node.bindings.forEach(matched);
            return;
        }
        Node exact = node.children.get(words[i]);
        if (exact != null) {
            match(exact, words, i + 1, matched);
        }
        Node one = node.children.get(ONE);
        if (one != null) {
            match(one, words, i + 1, matched);
        }
    }

    @Override
    protected void added(Binding b) {
        Node n = root;
        for (String w : words(b.routingKey())) {
            n = n.children.computeIfAbsent(w, x -> new Node());
        }
        n.bindings.add(b);
    }

    @Override
    protected void removed(Binding b) {
        remove(root, words(b.routingKey()), 0, b);
    }

    /** Removes the binding and prunes nodes left empty; true if {@code node} is now empty. */
    private static boolean remove(Node node, String[] words, int i, Binding b) {
        if (i == words.length) {
            node.bindings.remove(b);
        } else {
            Node child = node.children.get(words[i]);
            if (child != null && remove(child, words, i + 1, b)) {
                node.children.remove(words[i], child);
            }
        }
        return node.isEmpty();
    }
}
