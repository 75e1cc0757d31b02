package io.wharf.core.vhost;

import io.wharf.core.exchange.Exchange;
import io.wharf.core.exchange.FieldValues;
import io.wharf.core.message.Message;
import io.wharf.core.queue.Queue;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamMessages;
import io.wharf.core.stream.StreamPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Takes a message from an exchange to the queues and streams it reaches: through
 * exchange-to-exchange bindings, the default exchange's queue or stream of the routing key's name,
 * alternate exchanges when nothing else matched, and dead-letter exchanges for messages a queue
 * gives up on.
 *
 * <p>Thread-safe: it reads the topology's concurrent maps and exchanges' published bindings, and
 * routes on the caller's thread, many at once.
 */
final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** Where a message goes: queues, and streams (a stream queue is bound or addressed like a queue). */
    record Routed(Set<Queue> queues, Set<Stream> streams) {

        boolean isEmpty() {
            return queues.isEmpty() && streams.isEmpty();
        }

        int count() {
            return queues.size() + streams.size();
        }
    }

    private final String vhost;
    private final Topology topology;
    private final Clock clock;

    Router(String vhost, Topology topology, Clock clock) {
        this.vhost = vhost;
        this.topology = topology;
        this.clock = clock;
    }

    /**
     * The queues a message published to {@code ex} reaches, through exchange-to-exchange bindings
     * and alternate exchanges. What only those need is made when they are met: most messages go
     * through one exchange to queues.
     */
    Routed route(Exchange ex, Message m) {
        Destinations found = new Destinations();
        Set<String> visited = null;
        Exchange e = ex;
        while (e != null) {
            if (e.name().isEmpty()) {
                found.add(m.routingKey());
            } else {
                e.route(m, b -> {
                    if (b.toExchange()) {
                        found.follow(topology.exchanges.get(b.destination()));
                    } else {
                        found.add(b.destination());
                    }
                });
            }
            if (found.isEmpty() && found.nothingToFollow()) {
                String alternate = FieldValues.asString(e.definition().arguments().get("alternate-exchange"));
                found.follow(alternate == null ? null : topology.exchanges.get(alternate));
            }
            e = null;
            while (!found.nothingToFollow() && e == null) {
                if (visited == null) {
                    visited = new HashSet<>();
                    visited.add(ex.name());
                }
                Exchange next = found.todo.poll();
                if (visited.add(next.name())) {
                    e = next;
                }
            }
        }
        return new Routed(found.queues, found.streams == null ? Set.of() : found.streams);
    }

    /**
     * The queues and streams a message reaches (a name is a queue's, or else a stream's), and the
     * exchanges still to route it through.
     */
    private final class Destinations {
        final Set<Queue> queues = new LinkedHashSet<>();
        Set<Stream> streams;
        Deque<Exchange> todo;

        void add(String name) {
            Queue q = topology.queues.get(name);
            if (q != null) {
                queues.add(q);
                return;
            }
            Stream s = topology.streams.get(name);
            if (s != null) {
                if (streams == null) {
                    streams = new LinkedHashSet<>();
                }
                streams.add(s);
            }
        }

        void follow(Exchange next) {
            if (next != null) {
                if (todo == null) {
                    todo = new ArrayDeque<>();
                }
                todo.add(next);
            }
        }

        boolean nothingToFollow() {
            return todo == null || todo.isEmpty();
        }

        boolean isEmpty() {
            return queues.isEmpty() && streams == null;
        }
    }

    /** Hands a routed message to its queues and streams; completes once all stored it. */
    static CompletableFuture<Boolean> deliver(Routed targets, Message m) {
        if (targets.streams().isEmpty()) {
            return enqueueAll(targets.queues(), m);
        }
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        if (!targets.queues().isEmpty()) {
            all.add(enqueueAll(targets.queues(), m));
        }
        for (Stream s : targets.streams()) {
            all.add(appendToStream(s, m));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().allMatch(CompletableFuture::join));
    }

    /**
     * Appends a message published through the default exchange to the stream of that name. With no
     * key to partition by, a stream of several partitions gets it in one of them at random, as a
     * Kafka producer places records without a key.
     */
    private static CompletableFuture<Boolean> appendToStream(Stream s, Message m) {
        int n = s.partitionCount();
        StreamPartition p = s.partition(n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n));
        // The batch refers to a borrowed body until the log has written it.
        Message held = m.retain();
        try {
            return p.append(StreamMessages.toBatch(held)).whenComplete((offset, e) -> held.release()).thenApply(offset -> true);
        } catch (RuntimeException e) {
            held.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletableFuture<Boolean> enqueueAll(Collection<Queue> targets, Message m) {
        if (targets.size() == 1) {
            return targets.iterator().next().enqueue(m);
        }
        List<CompletableFuture<Boolean>> all = new ArrayList<>(targets.size());
        for (Queue q : targets) {
            all.add(q.enqueue(m));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().allMatch(CompletableFuture::join));
    }

    /** Routes a delayed message whose time has come. */
    CompletableFuture<?> routeReleased(Message m) {
        Exchange ex = topology.exchanges.get(m.exchange());
        if (ex == null) {
            LOG.warn("vhost {}: a delayed message was dropped: its exchange '{}' no longer exists", vhost, m.exchange());
            return CompletableFuture.completedFuture(null);
        }
        Routed targets = route(ex, m);
        return targets.isEmpty() ? CompletableFuture.completedFuture(null) : deliver(targets, m);
    }

    /**
     * Routes a message {@code from} gives up on (rejected, expired, over its length limit) through
     * the queue's dead-letter exchange, with RabbitMQ's {@code x-death} history, and never back
     * into a queue it already died in for the same reason.
     */
    void deadLetter(Queue from, Message m, String reason) {
        String dlx = from.arguments().deadLetterExchange();
        if (dlx == null) {
            return;
        }
        Exchange ex = topology.exchanges.get(dlx);
        if (ex == null) {
            LOG.debug("vhost {}: dead-letter exchange '{}' of {} does not exist; the message is dropped", vhost, dlx, from.describe());
            return;
        }
        from.stats().deadLettered(1);
        String routingKey = from.arguments().deadLetterRoutingKey() != null ? from.arguments().deadLetterRoutingKey() : m.routingKey();
        Message dead = DeadLetters.deadLettered(m, from.name(), reason, dlx, routingKey, clock.millis());
        Routed targets = route(ex, dead);
        targets.queues().removeIf(q -> DeadLetters.isCycle(dead, q.name(), reason));
        deliver(targets, dead);
    }
}
