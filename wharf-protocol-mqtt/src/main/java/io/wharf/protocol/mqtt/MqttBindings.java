package io.wharf.protocol.mqtt;

import io.wharf.core.exchange.Binding;
import io.wharf.core.session.SessionStore;

import java.util.Map;

/**
 * How MQTT subscriptions become bindings of the topic exchange, and what the virtual host's
 * {@link SessionStore} keeps of them. A session's own subscriptions bind its queue; each member
 * of a shared subscription binds the group's queue itself, so that the group's binding lasts as
 * long as any member is in it (routing still puts each message in the queue once).
 */
final class MqttBindings {

    /** Whose membership of a shared subscription a binding of the group's queue is. */
    static final String MEMBER_ARG = "x-mqtt-member";
    /** Sessions are stored under this protocol name. */
    static final String STORED_PROTOCOL = "mqtt";

    private MqttBindings() {
    }

    static Binding own(String queueName, String filter) {
        return Binding.toQueue(MqttMessages.EXCHANGE, queueName, MqttTopics.toBindingKey(filter), Map.of());
    }

    static Binding shared(MqttSession.Subscription s, String clientId) {
        return Binding.toQueue(MqttMessages.EXCHANGE, s.sharedQueueName(), MqttTopics.toBindingKey(s.topicFilter()),
                Map.of(MEMBER_ARG, clientId));
    }

    static SessionStore.Subscription stored(MqttSession.Subscription s) {
        return new SessionStore.Subscription(s.filter(), s.qos(), s.noLocal(), s.retainAsPublished(), s.group());
    }

    /** A stored subscription as its session uses it again; retain handling only matters when subscribing. */
    static MqttSession.Subscription restored(SessionStore.Subscription s) {
        return new MqttSession.Subscription(s.filter(), s.qos(), s.noLocal(), s.retainAsPublished(), 0, s.group());
    }
}
