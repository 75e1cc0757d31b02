package io.wharf.core.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a node of a cluster tells the others about itself when it starts, so that any node can
 * say where each one serves clients (and, with replicated streams, name every broker to Kafka
 * clients). Immutable.
 *
 * @param id        the node's id
 * @param host      the host clients reach it on
 * @param listeners its client listeners' ports by listener name ({@code amqp}, {@code kafka},
 *                  {@code http}, ...), in name order
 * @param version   the Wharf version it runs
 */
public record NodeRegistration(String id, String host, Map<String, Integer> listeners, String version) {

    public NodeRegistration {
        // In name order, as lists of them are shown.
        listeners = Collections.unmodifiableMap(new TreeMap<>(listeners));
    }
}
