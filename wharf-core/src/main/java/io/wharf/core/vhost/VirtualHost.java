package io.wharf.core.vhost;

import io.wharf.core.BrokerException;
import io.wharf.core.concurrent.Sequencer;
import io.wharf.core.auth.Client;
import io.wharf.core.cluster.Cluster;
import io.wharf.core.auth.Permission.Access;
import io.wharf.core.exchange.Binding;
import io.wharf.core.exchange.DelayedMessageExchange;
import io.wharf.core.exchange.Exchange;
import io.wharf.core.exchange.ExchangeDefinition;
import io.wharf.core.exchange.Exchanges;
import io.wharf.core.message.Message;
import io.wharf.core.queue.Queue;
import io.wharf.core.queue.QueueArguments;
import io.wharf.core.queue.QueueContext;
import io.wharf.core.queue.QueueDefinition;
import io.wharf.core.group.GroupCoordinator;
import io.wharf.core.session.SessionStore;
import io.wharf.core.stream.ConsumerGroupDirectory;
import io.wharf.core.stream.GroupOffsets;
import io.wharf.core.stream.TransactionCoordinator;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.storage.metadata.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A virtual host: a namespace of exchanges, queues and bindings, and the place where messages are
 * routed. Clients in one vhost never see another's objects.
 *
 * <p>Threading: {@link #publish} routes on the caller's thread and may run on many threads at
 * once. Changes to definitions (declare, delete, bind) run one at a time on the vhost's own
 * executor, on threads allowed to block for storage, and answer with futures that complete once
 * durable definitions are on disk. Each change is decided here (permissions, equivalence, names)
 * and made by applying a {@link TopologyCommand} to the {@link Topology}.
 */
public final class VirtualHost implements Queue.Owner {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualHost.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The outcome of a publish.
     *
     * @param queues   how many queues the message reached (a held delayed message counts as one)
     * @param returned whether it reached none and was published as mandatory: the client gets it back
     * @param stored   completes with true once every queue stored it, false if one refused it
     *                 (a length limit with reject-publish), or exceptionally if storing failed
     */
    public record PublishResult(int queues, boolean returned, CompletableFuture<Boolean> stored, Collection<Queue> reached) {

        public PublishResult(int queues, boolean returned, CompletableFuture<Boolean> stored) {
            this(queues, returned, stored, List.of());
        }

        /**
         * If a queue the message reached has consumers and more than {@code limit} ready
         * messages (its consumers fell behind its publishers), completes once each such queue is
         * down to half of that or has lost its consumers; empty if none is behind.
         */
        public Optional<CompletableFuture<Void>> behind(long limit) {
            List<CompletableFuture<Void>> waits = null;
            for (Queue q : reached) {
                if (q.messageCount() > limit && q.consumerCount() > 0) {
                    if (waits == null) {
                        waits = new ArrayList<>(1);
                    }
                    waits.add(q.whenCaughtUp(limit / 2));
                }
            }
            return waits == null ? Optional.empty() : Optional.of(CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)));
        }
    }

    /**
     * A queue's name and counts, as a declaration reports them.
     *
     * @param name          the queue's name (server-generated if none was given)
     * @param messageCount  ready messages
     * @param consumerCount consumers
     */
    public record QueueDeclared(String name, long messageCount, int consumerCount) {
    }

    private final String name;
    private final QueueContext queueContext;
    private final Definitions definitions;
    // Changes to definitions run one after another, each until its future completes, so a
    // change's continuations (on storage or queue threads) still have the definitions to themselves.
    private final Sequencer admin;
    // Decisions are made here; every change is a command the topology applies (TopologyCommand).
    private final Topology topology;
    private final TopologyChanges changes;
    private final Router router;
    private final Map<String, Exchange> exchanges;
    private final Map<String, Queue> queues;
    private final Map<String, Stream> streams;
    private final Map<UUID, Stream> streamsById;
    private final GroupOffsets groupOffsets;
    private final ConsumerGroupDirectory consumerGroups = new ConsumerGroupDirectory();
    private final GroupCoordinator groupCoordinator;
    private final MetadataStore metadata;
    private TransactionCoordinator transactions;
    private final RetainedMessages retained;
    private final SessionStore sessions;
    private final DirectReplyTo directReplyTo = new DirectReplyTo();
    private DelayedMessages delayed;
    private final StreamAdmin streamAdmin;
    private final Executor adminPool;
    private final List<Consumer<String>> unusedQueueListeners = new CopyOnWriteArrayList<>();

    private VirtualHost(String name, QueueContext queueContext, MetadataStore metadata, Executor adminPool) {
        this.name = name;
        this.queueContext = queueContext;
        this.definitions = new Definitions(metadata, name);
        this.groupOffsets = new GroupOffsets(queueContext.cursors(), name, queueContext.streams());
        this.metadata = metadata;
        this.retained = new RetainedMessages(metadata, name, queueContext.pool());
        this.sessions = new SessionStore(metadata, name, queueContext.pool());
        this.admin = new Sequencer(adminPool);
        this.adminPool = adminPool;
        this.topology = new Topology(name, definitions, groupOffsets, queueContext, this);
        this.changes = new TopologyChanges(name, topology, adminPool);
        this.exchanges = topology.exchanges;
        this.queues = topology.queues;
        this.streams = topology.streams;
        this.streamsById = topology.streamsById;
        this.router = new Router(name, topology, queueContext.clock());
        this.streamAdmin = new StreamAdmin(name, topology, admin, changes);
        this.groupCoordinator = new GroupCoordinator(name, queueContext.pool(), queueContext.timers(), queueContext.clock());
    }

    /**
     * Opens a virtual host: the predeclared exchanges, then every durable exchange, queue and binding
     * from the metadata store, recovering each queue's messages.
     */
    public static VirtualHost open(String name, QueueContext queueContext, MetadataStore metadata, Executor adminPool)
            throws IOException {
        VirtualHost vh = new VirtualHost(name, queueContext, metadata, adminPool);
        vh.predeclare();
        vh.recover();
        // Held messages are released into exchanges and queues, so those must be back first.
        vh.delayed = new DelayedMessages(queueContext.logs().open("delayed/" + name, queueContext.durableLogs()),
                "delayed/" + name, queueContext.cursors(), queueContext.clock(), queueContext.timers(),
                queueContext.pool(), vh.router::routeReleased);
        // Unfinished transactions write their markers into streams, so those must be open first.
        vh.transactions = new TransactionCoordinator(metadata, name, vh::stream, vh.groupOffsets, queueContext.clock(),
                queueContext.timers(), queueContext.pool());
        return vh;
    }

    private void predeclare() {
        for (String[] e : new String[][] {{"", Exchanges.DIRECT}, {"amq.direct", Exchanges.DIRECT},
            {"amq.fanout", Exchanges.FANOUT}, {"amq.topic", Exchanges.TOPIC}, {"amq.headers", Exchanges.HEADERS},
            {"amq.match", Exchanges.HEADERS}}) {
            exchanges.put(e[0], Exchanges.create(new ExchangeDefinition(e[0], e[1], true, false, false, Map.of())));
        }
    }

    private void recover() throws IOException {
        for (ExchangeDefinition d : definitions.exchanges()) {
            try {
                exchanges.putIfAbsent(d.name(), Exchanges.create(d));
            } catch (BrokerException e) {
                LOG.error("vhost {}: exchange '{}' cannot be restored: {}", name, d.name(), e.getMessage());
            }
        }
        for (QueueDefinition d : definitions.queues()) {
            QueueArguments args = QueueArguments.parse(d.arguments(), "queue '" + d.name() + "' in vhost '" + name + "'");
            queues.put(d.name(), Queue.open(d, args, null, queueContext, this, true));
        }
        for (StreamDefinition d : definitions.streams()) {
            topology.add(Stream.open(name, d, queueContext.logs(), queueContext.logs().defaults(), queueContext.pool(),
                    queueContext.streams()));
        }
        int restored = 0;
        for (Binding b : definitions.bindings()) {
            Exchange source = exchanges.get(b.source());
            boolean destinationExists = b.toExchange() ? exchanges.containsKey(b.destination())
                    : queues.containsKey(b.destination()) || streams.containsKey(b.destination());
            if (source != null && destinationExists) {
                source.bind(b);
                restored++;
            }
        }
        LOG.info("vhost {}: restored {} exchange(s), {} queue(s), {} binding(s), {} stream(s)", name,
                exchanges.size(), queues.size(), restored, streams.size());
    }

    public String name() {
        return name;
    }

    @Override
    public String vhostName() {
        return name;
    }

    public DirectReplyTo directReplyTo() {
        return directReplyTo;
    }

    public Collection<Queue> queues() {
        return queues.values();
    }

    public Collection<Exchange> exchanges() {
        return exchanges.values();
    }

    /** The queue, or NOT_FOUND. */
    public Queue queue(String queue) {
        Queue q = queues.get(queue);
        if (q == null) {
            throw BrokerException.notFound("no queue '" + queue + "' in vhost '" + name + "'");
        }
        return q;
    }

    /** The queue, if there is one of that name. */
    public java.util.Optional<Queue> findQueue(String queue) {
        return java.util.Optional.ofNullable(queues.get(queue));
    }

    /** The exchange, or NOT_FOUND. */
    public Exchange exchange(String exchange) {
        Exchange e = exchanges.get(exchange);
        if (e == null) {
            throw BrokerException.notFound("no exchange '" + exchange + "' in vhost '" + name + "'");
        }
        return e;
    }

    // ---------------------------------------------------------------- exchanges

    public CompletableFuture<Void> declareExchange(ExchangeDefinition d, boolean passive, Client client) {
        return onAdmin(() -> {
            if (passive) {
                exchange(d.name());
                return done();
            }
            if (d.name().isEmpty()) {
                throw BrokerException.accessRefused("operation not permitted on the default exchange");
            }
            Exchange existing = exchanges.get(d.name());
            if (existing == null && d.name().startsWith("amq.")) {
                throw BrokerException.accessRefused("exchange name '" + d.name() + "' contains reserved prefix 'amq.*'");
            }
            client.check(name, Access.CONFIGURE, "exchange", d.name());
            if (existing != null) {
                checkEquivalent("exchange", d.name(), existing.definition().inequivalence(d));
                return done();
            }
            // Checked here rather than when applied: an unknown type or bad argument is the asker's error.
            Exchanges.create(d);
            // On a cluster another node's declaration may have been applied first.
            return changes.change(new TopologyCommand.DeclareExchange(d)).thenRun(() ->
                    checkEquivalent("exchange", d.name(), exchange(d.name()).definition().inequivalence(d)));
        });
    }

    public CompletableFuture<Void> deleteExchange(String exchange, boolean ifUnused, Client client) {
        return onAdmin(() -> {
            if (exchange.isEmpty() || exchange.startsWith("amq.")) {
                throw BrokerException.accessRefused("operation not permitted on exchange '" + exchange + "' in vhost '" + name + "'");
            }
            Exchange e = exchanges.get(exchange);
            if (e == null) {
                return done();
            }
            client.check(name, Access.CONFIGURE, "exchange", exchange);
            if (ifUnused && e.hasBindings()) {
                throw BrokerException.preconditionFailed("exchange '" + exchange + "' in vhost '" + name + "' in use");
            }
            return changes.change(new TopologyCommand.DeleteExchange(exchange));
        });
    }

    // ---------------------------------------------------------------- bindings

    /** Binds a queue or an exchange to a source exchange; binding twice is harmless. */
    public CompletableFuture<Void> bind(Binding b, Client client) {
        return onAdmin(() -> {
            checkBindingEnds(b, client).validate(b);
            return changes.change(new TopologyCommand.Bind(b));
        });
    }

    /** Removes a binding; removing one that does not exist is harmless. */
    public CompletableFuture<Void> unbind(Binding b, Client client) {
        return onAdmin(() -> {
            checkBindingEnds(b, client);
            return changes.change(new TopologyCommand.Unbind(b));
        });
    }

    private Exchange checkBindingEnds(Binding b, Client client) {
        if (b.source().isEmpty() || (b.toExchange() && b.destination().isEmpty())) {
            throw BrokerException.accessRefused("operation not permitted on the default exchange");
        }
        if (b.toExchange()) {
            exchange(b.destination());
            client.check(name, Access.WRITE, "exchange", b.destination());
        } else if (!queues.containsKey(b.destination()) && streams.containsKey(b.destination())) {
            client.check(name, Access.WRITE, "queue", b.destination());
        } else {
            Queue q = queue(b.destination());
            checkExclusive(q, client);
            client.check(name, Access.WRITE, "queue", b.destination());
        }
        Exchange source = exchange(b.source());
        client.check(name, Access.READ, "exchange", b.source());
        return source;
    }

    // ---------------------------------------------------------------- queues

    /**
     * Declares a queue; an empty name asks for a server-generated one. Redeclaring with the same
     * properties is harmless and reports the queue's counts. A declaration with
     * {@code x-queue-type: stream}, or a passive one naming a stream, declares a stream queue.
     */
    public CompletableFuture<QueueDeclared> declareQueue(QueueDefinition d, boolean passive, Client client) {
        if (StreamQueues.wanted(d) || (passive && !queues.containsKey(d.name()) && streams.containsKey(d.name()))) {
            return StreamQueues.declare(this, d, passive, client);
        }
        return onAdmin(() -> {
            if (passive) {
                Queue q = queue(d.name());
                checkExclusive(q, client);
                return CompletableFuture.completedFuture(declared(q));
            }
            String queueName = d.name().isEmpty() ? generatedName() : d.name();
            if (d.name().startsWith("amq.")) {
                throw BrokerException.accessRefused("queue name '" + d.name() + "' contains reserved prefix 'amq.*'");
            }
            client.check(name, Access.CONFIGURE, "queue", queueName);
            QueueDefinition def = new QueueDefinition(queueName, d.durable(), d.exclusive(), d.autoDelete(), d.arguments());
            Queue existing = queues.get(queueName);
            if (existing != null) {
                checkExclusive(existing, client);
                checkEquivalent("queue", queueName, existing.definition().inequivalence(def));
                existing.touch();
                return CompletableFuture.completedFuture(declared(existing));
            }
            // Checked here rather than when applied: a bad argument is the asker's error.
            QueueArguments.parse(def.arguments(), "queue '" + queueName + "' in vhost '" + name + "'");
            return changes.change(new TopologyCommand.DeclareQueue(def, def.exclusive() ? client.connection() : null))
                    .thenApply(v -> {
                        // On a cluster another node's declaration may have been applied first, or a deletion after it.
                        Queue q = queue(queueName);
                        checkEquivalent("queue", queueName, q.definition().inequivalence(def));
                        return declared(q);
                    });
        });
    }

    /** PRECONDITION_FAILED, worded as RabbitMQ words it, if {@code difference} is not null. */
    private void checkEquivalent(String kind, String object, String difference) {
        if (difference != null) {
            throw BrokerException.preconditionFailed("inequivalent arg '" + difference.replaceFirst("' received", "' for " + kind
                    + " '" + object + "' in vhost '" + name + "': received"));
        }
    }

    private static QueueDeclared declared(Queue q) {
        return new QueueDeclared(q.name(), q.messageCount(), q.consumerCount());
    }

    private static String generatedName() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "amq.gen-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * Deletes a queue; deleting one that does not exist is harmless. Completes with its ready
     * count. A stream queue goes with its data; its count is the records it held.
     */
    public CompletableFuture<Long> deleteQueue(String queue, boolean ifUnused, boolean ifEmpty, Client client) {
        Stream stream = queues.containsKey(queue) ? null : streams.get(queue);
        if (stream != null) {
            long held = StreamQueues.held(stream);
            return streamAdmin.delete(queue, client).thenApply(v -> held);
        }
        return onAdmin(() -> {
            Queue q = queues.get(queue);
            if (q == null) {
                return CompletableFuture.completedFuture(0L);
            }
            checkExclusive(q, client);
            client.check(name, Access.CONFIGURE, "queue", queue);
            return q.delete(ifUnused, ifEmpty).thenCompose(count -> forget(q).thenApply(v -> count));
        });
    }

    public CompletableFuture<Long> purgeQueue(String queue, Client client) {
        return onAdmin(() -> {
            Queue q = queue(queue);
            checkExclusive(q, client);
            client.check(name, Access.READ, "queue", queue);
            return q.purge();
        });
    }

    /** Forgets a queue its owner deleted, unless another of its name has taken its place; runs on the admin executor. */
    private CompletableFuture<Void> forget(Queue q) {
        return queues.get(q.name()) == q ? changes.change(new TopologyCommand.DeleteQueue(q.name())) : done();
    }

    /**
     * The queue a client may consume from or get from: it exists, the client may read it, and it is
     * not another connection's exclusive queue.
     */
    public Queue queueForReading(String queue, Client client) {
        Queue q = queue(queue);
        checkExclusive(q, client);
        client.check(name, Access.READ, "queue", queue);
        return q;
    }

    private void checkExclusive(Queue q, Client client) {
        Object owner = q.exclusiveOwner();
        if (owner != null && owner != client.connection()) {
            throw BrokerException.resourceLocked("cannot obtain exclusive access to locked " + q.describe()
                    + ". It could be originally declared on another connection or the exclusive property value does"
                    + " not match that of the original declaration.");
        }
    }

    @Override
    public void deleteUnused(Queue queue, String why) {
        onAdmin(() -> {
            if (queues.get(queue.name()) != queue) {
                return done();
            }
            LOG.debug("vhost {}: deleting {} because {}", name, queue.describe(), why);
            return queue.forceDelete().thenCompose(n -> forget(queue))
                    .thenRun(() -> unusedQueueListeners.forEach(l -> l.accept(queue.name())));
        });
    }

    /**
     * Tells {@code listener} the name of each queue deleted because it went unused (auto-delete,
     * {@code x-expires}), once it is gone: what lived as long as the queue (an MQTT session whose
     * expiry the queue carries) can end with it. The listener runs on an admin thread and must
     * not block. Returns what removes the listener.
     */
    public Runnable whenUnusedQueueDeleted(Consumer<String> listener) {
        unusedQueueListeners.add(listener);
        return () -> unusedQueueListeners.remove(listener);
    }

    /** A connection closed: its exclusive queues go with it. */
    public CompletableFuture<Void> connectionClosed(Object connection) {
        return onAdmin(() -> {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Queue q : List.copyOf(queues.values())) {
                if (q.exclusiveOwner() == connection) {
                    all.add(q.forceDelete().thenCompose(n -> forget(q)));
                }
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        });
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Routes and enqueues a message. A borrowed body stays the caller's to release once this
     * returns: every destination that keeps the message takes its own reference or a copy.
     *
     * @throws BrokerException NOT_FOUND for an unknown exchange, ACCESS_REFUSED for an internal one
     *                         or missing write permission, PRECONDITION_FAILED for a malformed expiration
     */
    public PublishResult publish(Message m, boolean mandatory, Client client) {
        Exchange ex = exchange(m.exchange());
        PublishChecks.check(name, ex, m, client);
        if (ex instanceof DelayedMessageExchange && DelayedMessageExchange.delayOf(m) > 0) {
            return new PublishResult(1, false, delayed.hold(m.onHeap()));
        }
        if (m.exchange().isEmpty() && m.routingKey().startsWith(DirectReplyTo.ADDRESS_PREFIX)) {
            boolean delivered = directReplyTo.deliver(m.routingKey(), m.onHeap());
            return new PublishResult(delivered ? 1 : 0, !delivered && mandatory, CompletableFuture.completedFuture(true));
        }
        Router.Routed targets = router.route(ex, m);
        if (targets.isEmpty()) {
            return new PublishResult(0, mandatory, CompletableFuture.completedFuture(true));
        }
        return new PublishResult(targets.count(), false, Router.deliver(targets, m), targets.queues());
    }

    @Override
    public void deadLetter(Queue from, Message m, String reason) {
        router.deadLetter(from, m, reason);
    }

    // ---------------------------------------------------------------- streams

    /** Retained messages by topic (MQTT's), kept durably. */
    public RetainedMessages retained() {
        return retained;
    }

    /** Transactions of producers writing to this virtual host's streams. */
    public TransactionCoordinator transactions() {
        return transactions;
    }

    /** Offsets committed by consumer groups on this virtual host's streams. */
    public GroupOffsets groupOffsets() {
        return groupOffsets;
    }

    /** The sessions of this virtual host's clients that outlive their connections. */
    public SessionStore sessions() {
        return sessions;
    }

    /** The coordinator of this virtual host's consumer groups: who is in each, and what each was assigned. */
    public GroupCoordinator groupCoordinator() {
        return groupCoordinator;
    }

    /** Who is in this virtual host's consumer groups now, with assignments decoded by the protocols that know their format. */
    public ConsumerGroupDirectory consumerGroups() {
        return consumerGroups;
    }

    /**
     * The threads that read streams for consumers. Adapters hand every stream read to them: a
     * read may wait on the disk, which no network thread may do.
     */
    public Executor streamReads() {
        return queueContext.reads();
    }

    /** The stream, or null if there is none by that name. */
    public Stream stream(String stream) {
        return streams.get(stream);
    }

    /** The stream with this id (a Kafka topic id), or null if there is none. */
    public Stream stream(UUID id) {
        return streamsById.get(id);
    }

    public Collection<Stream> streams() {
        return streams.values();
    }

    /** Changes to this virtual host's streams: create, grow, reconfigure, delete records, delete. */
    public StreamAdmin streamAdmin() {
        return streamAdmin;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops timers and flushes queues; storage is closed by the broker afterwards. */
    public CompletableFuture<Void> close() {
        delayed.close();
        transactions.close();
        groupCoordinator.close();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Queue q : queues.values()) {
            all.add(q.close());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * Deletes everything in this virtual host and closes it: its queues and streams with their
     * logs, its consumer groups' offsets, held delayed messages, and every definition, retained
     * message, session and transaction it stored. Its clients' connections are closed before.
     */
    CompletableFuture<Void> deleteEverything() {
        // Made here only, on every node alike (this is part of applying the vhost's deletion),
        // while no decision runs: the admin owner waits for them.
        CompletableFuture<Void> contents = onAdmin(() -> {
            List<CompletableFuture<Void>> gone = new ArrayList<>();
            // Exclusive queues too: their connections may not have finished closing.
            for (Queue q : List.copyOf(queues.values())) {
                gone.add(changes.applyCommitted(new TopologyCommand.DeleteQueue(q.name())));
            }
            for (Stream s : List.copyOf(streams())) {
                gone.add(changes.applyCommitted(new TopologyCommand.DeleteStream(s.name())));
            }
            return CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new));
        });
        List<CompletableFuture<?>> steps = new ArrayList<>();
        steps.add(contents);
        for (String g : groupOffsets.groups()) {
            steps.add(groupOffsets.delete(g));
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .thenCompose(v -> close())
                .thenComposeAsync(v -> {
                    try {
                        queueContext.logs().delete("delayed/" + name);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    List<MetadataStore.Mutation> stored = new ArrayList<>();
                    for (String key : metadata.scan("").keySet()) {
                        // Every key of a virtual host's is <kind>\0<vhost>\0...
                        int kindEnd = key.indexOf('\0');
                        if (kindEnd > 0 && key.startsWith(name + "\0", kindEnd + 1)) {
                            stored.add(MetadataStore.Mutation.delete(key));
                        }
                    }
                    return CompletableFuture.allOf(metadata.apply(stored), queueContext.cursors().delete("delayed/" + name));
                }, adminPool);
    }

    /**
     * From now on, changes that outlive a restart are proposed to {@code cluster} and made on
     * every node once it commits them; see {@link TopologyChanges}.
     */
    void replicateThrough(Cluster cluster) {
        changes.replicateThrough(cluster);
    }

    /** Applies a command the cluster committed (decided here or on another node). */
    CompletableFuture<Void> applyCommitted(TopologyCommand command) {
        return changes.applyCommitted(command);
    }

    /**
     * Runs a change of definitions after every earlier one has completed. The work must not call
     * this method itself (it would wait for itself); its continuations simply go on.
     */
    private <T> CompletableFuture<T> onAdmin(Supplier<CompletableFuture<T>> work) {
        return admin.submit(work);
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public String toString() {
        return "vhost '" + name + "'";
    }
}
