package io.wharf.management;

import java.util.Map;

/**
 * Where the management endpoint listens and what it reports.
 *
 * @param host          the address to bind
 * @param port          the port; 0 picks a free one
 * @param listeners     the broker's protocol listeners (protocol to port), shown in the overview
 * @param rateInterval  milliseconds between two samples of the message counters
 */
public record ManagementSettings(String host, int port, Map<String, Integer> listeners, long rateInterval) {

    public ManagementSettings {
        listeners = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(listeners));
    }
}
