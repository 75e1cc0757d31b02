package io.wharf.protocol.mqtt;

import io.netty.util.concurrent.EventExecutor;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One client id's session state that outlives a connection. Its messages wait in a queue of the
 * broker ({@link #queueName()}); the rest is kept here.
 *
 * <p>Two owners, and no monitor: which connection holds the session and its pending will belong
 * to {@link MqttSessions}' thread; the subscriptions and QoS 2 exchanges belong to the event loop
 * of the connection holding the session. A connection that takes a session over starts using that
 * state only once the previous holder has let go of it ({@link #heldOn}), so the two never share it.
 */
final class MqttSession {

    /** What the name of every session's queue starts with, the client id following. */
    static final String QUEUE_PREFIX = "mqtt-subscription-";

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

    // Owned by MqttSessions' thread.
    /** The connection holding the session now, or null. */
    MqttConnection holder;
    /** A will waiting out its delay after the connection was lost. */
    ScheduledFuture<?> pendingWill;

    // Owned by the holder's event loop.
    private volatile EventExecutor loop;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** QoS 2 publishes received (PUBREC sent) whose PUBREL has not come yet: a resend is not published again. */
    private final Set<Integer> awaitingRelease = new LinkedHashSet<>();
    /** QoS 2 deliveries the client has received (PUBREL sent) whose PUBCOMP has not come yet. */
    private final Set<Integer> awaitingComplete = new LinkedHashSet<>();

    MqttSession(String clientId) {
        this.clientId = clientId;
    }

    /** The queue that holds the session's messages, named as RabbitMQ's MQTT plugin names it. */
    String queueName() {
        return queueName(clientId);
    }

    /** The queue of the session of {@code clientId}. */
    static String queueName(String clientId) {
        return QUEUE_PREFIX + clientId;
    }

    /** Hands the session's state to a new holder's loop; called on that loop once the previous holder let go. */
    void heldOn(EventExecutor holderLoop) {
        loop = holderLoop;
    }

    Map<String, Subscription> subscriptions() {
        assert owned() : "MQTT session " + clientId + " used off its holder's loop";
        return subscriptions;
    }

    Set<Integer> awaitingRelease() {
        assert owned() : "MQTT session " + clientId + " used off its holder's loop";
        return awaitingRelease;
    }

    Set<Integer> awaitingComplete() {
        assert owned() : "MQTT session " + clientId + " used off its holder's loop";
        return awaitingComplete;
    }

    private boolean owned() {
        EventExecutor l = loop;
        return l != null && l.inEventLoop();
    }
}
