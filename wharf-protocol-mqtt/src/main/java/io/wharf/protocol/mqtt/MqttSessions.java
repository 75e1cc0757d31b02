package io.wharf.protocol.mqtt;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MQTT sessions of one listener by client id: what a session keeps between connections
 * (its subscriptions, and the QoS 2 exchanges under way) and which connection holds it now, so
 * a second connection with the same client id takes the session over.
 */
final class MqttSessions {

    private final Map<String, MqttSession> sessions = new ConcurrentHashMap<>();

    /** The client id's session, created empty if it has none. */
    MqttSession session(String clientId) {
        return sessions.computeIfAbsent(clientId, MqttSession::new);
    }

    /** Forgets a session that ended (clean start, or expiry zero at disconnect). */
    void remove(MqttSession s) {
        sessions.remove(s.clientId, s);
    }
}
