package io.wharf.protocol.mqtt;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One client id's session state that outlives a connection. Its messages wait in a queue of the
 * broker ({@link #queueName()}); the rest is kept here.
 *
 * <p>Guarded by its own monitor; a connection holds it while attached.
 */
final class MqttSession {

    /**
     * One subscription and its options (the MQTT 5 ones default as MQTT 3.1.1 behaves).
     *
     * @param filter the filter as subscribed, {@code $share/<group>/<filter>} for a shared subscription
     * @param group  the shared subscription's group, or null
     */
    record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling, String group) {

        /** The topic filter proper, without a shared subscription's prefix. */
        String topicFilter() {
            return group == null ? filter : filter.substring("$share/".length() + group.length() + 1);
        }

        /** The queue a shared subscription's group shares. */
        String sharedQueueName() {
            return "mqtt-shared-" + group + "-" + topicFilter();
        }
    }

    final String clientId;
    /** The connection attached now, or null. */
    MqttConnection connection;
    final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** QoS 2 publishes received (PUBREC sent) whose PUBREL has not come yet: a resend is not published again. */
    final Set<Integer> awaitingRelease = new LinkedHashSet<>();
    /** QoS 2 deliveries the client has received (PUBREL sent) whose PUBCOMP has not come yet. */
    final Set<Integer> awaitingComplete = new LinkedHashSet<>();
    /** A will waiting out its delay after the connection was lost. */
    ScheduledFuture<?> pendingWill;

    MqttSession(String clientId) {
        this.clientId = clientId;
    }

    /** The queue that holds the session's messages, named as RabbitMQ's MQTT plugin names it. */
    String queueName() {
        return "mqtt-subscription-" + clientId;
    }
}
