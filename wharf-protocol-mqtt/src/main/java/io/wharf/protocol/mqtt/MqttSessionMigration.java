package io.wharf.protocol.mqtt;

import io.wharf.core.auth.Client;
import io.wharf.core.exchange.Binding;
import io.wharf.core.session.SessionStore;
import io.wharf.core.vhost.VirtualHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Moves MQTT sessions written by earlier versions of Wharf into the session store. Those kept a
 * session's subscriptions as arguments of its bindings ({@code x-mqtt-filter}, {@code x-mqtt-qos}
 * and the options, {@code x-mqtt-share-group} and {@code x-mqtt-member} for shared ones). Each such
 * binding becomes a stored subscription, then a binding without them takes its place. A binding is
 * replaced only after its subscription is stored, and a run stopped half-way picks up at the next
 * start, since the bindings still to move are the ones that carry the arguments.
 *
 * <p>Then it forgets stored sessions that are gone: a session whose queue expired (its session
 * expiry interval ran out) and that is in no shared subscription has nothing left to resume, and
 * a client reconnecting would be told so anyway. A session whose queue expires while the broker
 * runs is forgotten then ({@link #forgetIfExpired}).
 *
 * <p>Runs once per start of the MQTT endpoint, before it takes connections.
 */
final class MqttSessionMigration {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSessionMigration.class);
    private static final String FILTER_ARG = "x-mqtt-filter";
    private static final String QOS_ARG = "x-mqtt-qos";
    private static final String NO_LOCAL_ARG = "x-mqtt-no-local";
    private static final String RAP_ARG = "x-mqtt-retain-as-published";
    private static final String GROUP_ARG = "x-mqtt-share-group";
    private static final long TIMEOUT_SECONDS = 60;

    private MqttSessionMigration() {
    }

    /** Moves what there is to move, waiting for it; the endpoint does not start without its sessions. */
    static void runAtStart(VirtualHost vhost) throws IOException {
        Client client = Client.broker(vhost.name(), "mqtt-session-migration");
        try {
            run(vhost, client).thenCompose(moved -> forgetExpired(vhost)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the MQTT sessions of vhost '" + vhost.name() + "' could not be moved into the session store: "
                    + (e instanceof ExecutionException ? e.getCause() : e).getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while moving MQTT sessions into the session store", e);
        }
    }

    /** Completes with the number of subscriptions moved. */
    static CompletableFuture<Integer> run(VirtualHost vhost, Client client) {
        CompletableFuture<Integer> done = CompletableFuture.completedFuture(0);
        for (Binding b : vhost.exchange(MqttMessages.EXCHANGE).bindings()) {
            Map<String, Object> args = b.arguments();
            if (b.toExchange() || !(args.get(FILTER_ARG) instanceof String filter)) {
                continue;
            }
            int qos = args.get(QOS_ARG) instanceof Number n ? n.intValue() : 0;
            boolean noLocal = Boolean.TRUE.equals(args.get(NO_LOCAL_ARG));
            boolean rap = Boolean.TRUE.equals(args.get(RAP_ARG));
            String clientId;
            SessionStore.Subscription sub;
            Binding replacement;
            if (args.get(GROUP_ARG) instanceof String group && args.get(MqttBindings.MEMBER_ARG) instanceof String member) {
                clientId = member;
                sub = new SessionStore.Subscription("$share/" + group + "/" + filter, qos, noLocal, rap, group);
                replacement = MqttBindings.shared(MqttBindings.restored(sub), member);
            } else if (b.destination().startsWith(MqttSession.QUEUE_PREFIX)) {
                clientId = b.destination().substring(MqttSession.QUEUE_PREFIX.length());
                sub = new SessionStore.Subscription(filter, qos, noLocal, rap, null);
                replacement = MqttBindings.own(b.destination(), filter);
            } else {
                continue;
            }
            done = done.thenCompose(moved -> vhost.sessions().subscribe(MqttBindings.STORED_PROTOCOL, clientId, sub)
                    .thenCompose(v -> vhost.bind(replacement, client))
                    .thenCompose(v -> vhost.unbind(b, client))
                    .thenApply(v -> moved + 1));
        }
        return done.whenComplete((moved, e) -> {
            if (e == null && moved > 0) {
                LOG.info("MQTT: moved {} subscription(s) of persistent sessions into the session store", moved);
            }
        });
    }

    /** Forgets stored sessions whose queue is gone and that are in no shared subscription. */
    static CompletableFuture<Void> forgetExpired(VirtualHost vhost) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        int forgotten = 0;
        for (SessionStore.Session s : vhost.sessions().all(MqttBindings.STORED_PROTOCOL)) {
            if (expired(vhost, s)) {
                done = done.thenCompose(v -> vhost.sessions().discard(MqttBindings.STORED_PROTOCOL, s.clientId()));
                forgotten++;
            }
        }
        if (forgotten > 0) {
            LOG.info("MQTT: forgot {} persistent session(s) of vhost '{}' whose queue had expired", forgotten, vhost.name());
        }
        return done;
    }

    /**
     * Forgets the stored session whose queue {@code queue} was, if it is now gone (its session
     * expiry interval ran out while the client was away). For {@link VirtualHost#whenUnusedQueueDeleted}.
     */
    static void forgetIfExpired(VirtualHost vhost, String queue) {
        if (!queue.startsWith(MqttSession.QUEUE_PREFIX)) {
            return;
        }
        String clientId = queue.substring(MqttSession.QUEUE_PREFIX.length());
        vhost.sessions().get(MqttBindings.STORED_PROTOCOL, clientId).filter(s -> expired(vhost, s)).ifPresent(s -> {
            LOG.debug("MQTT: session of client '{}' expired", clientId);
            vhost.sessions().discard(MqttBindings.STORED_PROTOCOL, clientId);
        });
    }

    private static boolean expired(VirtualHost vhost, SessionStore.Session s) {
        boolean shared = s.subscriptions().values().stream().anyMatch(sub -> sub.group() != null);
        return !shared && vhost.findQueue(MqttSession.queueName(s.clientId())).isEmpty();
    }
}
