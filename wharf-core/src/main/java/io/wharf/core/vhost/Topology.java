package io.wharf.core.vhost;

import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.exchange.Exchanges;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueArguments;
import io.wharf.core.queue.QueueContext;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.stream.GroupOffsets;
import io.wharf.core.stream.Stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A virtual host's exchanges, queues, streams and bindings, changed only by applying
 * {@link TopologyCommand}s. The durable part of each change is in the metadata store when the
 * future {@link #apply} returns completes.
 *
 * <p>Threading: commands are applied by the virtual host's admin owner, one at a time. The maps
 * are concurrent so that routing and lookups on any thread see each change once it is made.
 */
final class Topology {

    final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    final Map<String, Queue> queues = new ConcurrentHashMap<>();
    final Map<String, Stream> streams = new ConcurrentHashMap<>();
    final Map<UUID, Stream> streamsById = new ConcurrentHashMap<>();

    private final String vhost;
    private final Definitions definitions;
    private final GroupOffsets groupOffsets;
    private final QueueContext queueContext;
    private final Queue.Owner queueOwner;

    Topology(String vhost, Definitions definitions, GroupOffsets groupOffsets, QueueContext queueContext, Queue.Owner queueOwner) {
        this.vhost = vhost;
        this.definitions = definitions;
        this.groupOffsets = groupOffsets;
        this.queueContext = queueContext;
        this.queueOwner = queueOwner;
    }

    /** Applies one command; completes once what it changed durably is stored. */
    CompletableFuture<Void> apply(TopologyCommand command) {
        return switch (command) {
            case TopologyCommand.DeclareExchange c -> {
                if (exchanges.putIfAbsent(c.definition().name(), Exchanges.create(c.definition())) != null) {
                    yield done();
                }
                yield c.definition().durable() ? definitions.putExchange(c.definition()) : done();
            }
            case TopologyCommand.DeleteExchange c -> {
                Exchange e = exchanges.get(c.name());
                yield e == null ? done() : removeExchange(e);
            }
            case TopologyCommand.Bind c -> {
                Exchange source = exchanges.get(c.binding().source());
                if (source == null || !destinationExists(c.binding()) || !source.bind(c.binding())) {
                    yield done();
                }
                yield durable(c.binding()) ? definitions.putBinding(c.binding()) : done();
            }
            case TopologyCommand.Unbind c -> {
                Exchange source = exchanges.get(c.binding().source());
                if (source == null) {
                    yield done();
                }
                // Durability is read before the binding goes: it depends on both of its ends.
                boolean durable = durable(c.binding());
                if (!source.unbind(c.binding())) {
                    yield done();
                }
                CompletableFuture<Void> persisted = durable ? definitions.deleteBinding(c.binding()) : done();
                yield persisted.thenCompose(v -> autoDeleteSources(List.of(c.binding())));
            }
            case TopologyCommand.DeclareQueue c -> declareQueue(c.definition(), c.exclusiveOwner());
            case TopologyCommand.DeleteQueue c -> {
                Queue q = queues.remove(c.name());
                if (q == null) {
                    yield done();
                }
                List<Binding> gone = unbindAllTo(q.name());
                CompletableFuture<Void> persisted = q.definition().persistent() ? definitions.deleteQueue(q.name(), gone) : done();
                yield persisted.thenCompose(v -> autoDeleteSources(gone));
            }
            case TopologyCommand.CreateStream c -> {
                if (streams.containsKey(c.definition().name())) {
                    yield done();
                }
                add(Stream.open(vhost, c.definition(), queueContext.logs(), queueContext.logs().defaults(), queueContext.pool(),
                    queueContext.streams()));
                yield definitions.putStream(c.definition());
            }
            case TopologyCommand.AddPartitions c -> {
                Stream s = streams.get(c.stream());
                if (s == null || c.count() <= s.partitionCount()) {
                    yield done();
                }
                s.addPartitions(c.count());
                yield definitions.putStream(s.definition());
            }
            case TopologyCommand.ReconfigureStream c -> {
                Stream s = streams.get(c.stream());
                if (s == null) {
                    yield done();
                }
                s.reconfigure(c.configs());
                yield definitions.putStream(s.definition());
            }
            case TopologyCommand.DeleteStream c -> deleteStream(c.name());
        };
    }

    private CompletableFuture<Void> declareQueue(QueueDefinition d, Object exclusiveOwner) {
        if (queues.containsKey(d.name())) {
            return done();
        }
        QueueArguments args = QueueArguments.parse(d.arguments(), "queue '" + d.name() + "' in vhost '" + vhost + "'");
        Queue q;
        try {
            q = Queue.open(d, args, exclusiveOwner, queueContext, queueOwner, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        queues.put(d.name(), q);
        return d.persistent() ? definitions.putQueue(d) : done();
    }

    private CompletableFuture<Void> deleteStream(String name) {
        Stream s = streams.remove(name);
        if (s == null) {
            return done();
        }
        streamsById.remove(s.definition().id());
        List<Binding> gone = unbindAllTo(name);
        CompletableFuture<?>[] unbound = gone.stream().map(definitions::deleteBinding).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(unbound).thenCompose(v -> definitions.deleteStream(name))
                .thenCompose(v -> groupOffsets.deleteStream(name)).thenCompose(v -> autoDeleteSources(gone)).thenRun(() -> {
                    try {
                        s.delete();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** Adds a stream opened at start or created by a command. */
    void add(Stream s) {
        streams.put(s.name(), s);
        streamsById.put(s.definition().id(), s);
    }

    private boolean destinationExists(Binding b) {
        return b.toExchange() ? exchanges.containsKey(b.destination())
                : queues.containsKey(b.destination()) || streams.containsKey(b.destination());
    }

    /** A binding is stored when its source and its destination both survive a restart. */
    boolean durable(Binding b) {
        Exchange source = exchanges.get(b.source());
        boolean destinationDurable = b.toExchange()
                ? exchanges.containsKey(b.destination()) && exchanges.get(b.destination()).definition().durable()
                : queues.containsKey(b.destination()) ? queues.get(b.destination()).definition().persistent()
                : streams.containsKey(b.destination());
        return source != null && source.definition().durable() && destinationDurable;
    }

    private CompletableFuture<Void> removeExchange(Exchange e) {
        exchanges.remove(e.name());
        List<Binding> gone = new ArrayList<>(e.bindings());
        for (Exchange other : exchanges.values()) {
            for (Binding b : other.bindings()) {
                if (b.toExchange() && b.destination().equals(e.name())) {
                    other.unbind(b);
                    gone.add(b);
                }
            }
        }
        CompletableFuture<Void> persisted = e.definition().durable() ? definitions.deleteExchange(e.name(), gone) : done();
        return persisted.thenCompose(v -> autoDeleteSources(gone));
    }

    /** Removes every binding whose destination is the queue or stream {@code name}; returns them. */
    private List<Binding> unbindAllTo(String name) {
        List<Binding> gone = new ArrayList<>();
        for (Exchange e : exchanges.values()) {
            for (Binding b : e.bindings()) {
                if (!b.toExchange() && b.destination().equals(name)) {
                    e.unbind(b);
                    gone.add(b);
                }
            }
        }
        return gone;
    }

    /** Deletes auto-delete exchanges that lost their last binding as a source. */
    private CompletableFuture<Void> autoDeleteSources(Collection<Binding> removed) {
        CompletableFuture<Void> all = done();
        Set<String> sources = new LinkedHashSet<>();
        removed.forEach(b -> sources.add(b.source()));
        for (String s : sources) {
            Exchange e = exchanges.get(s);
            if (e != null && e.definition().autoDelete() && !e.hasBindings()) {
                all = all.thenCompose(v -> removeExchange(e));
            }
        }
        return all;
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
