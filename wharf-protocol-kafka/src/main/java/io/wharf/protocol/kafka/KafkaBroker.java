package io.wharf.protocol.kafka;

import io.wharf.core.BrokerException;
import io.wharf.core.auth.Client;
import io.wharf.core.connection.ClientConnection;
import io.wharf.core.stream.GroupOffsets;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import java.util.LinkedHashMap;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamConfigs;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.stream.StreamPartition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.protocol.common.StorageFailures;
import io.wharf.storage.StorageException;
import io.wharf.storage.log.LogSlice;
import io.wharf.storage.log.OffsetOutOfRangeException;
import io.wharf.storage.record.CheckedBatch;
import io.wharf.storage.record.InvalidRecordException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/**
 * Answers Kafka requests over one virtual host's streams: Wharf is a single-node Kafka cluster
 * whose only broker (node 0) leads every partition.
 *
 * <p>Threading: called on connection event loops, where nothing reads a disk: fetches and offset
 * lookups read on the streams' read threads, and answers complete on those, on partition owners
 * and on storage threads too.
 */
final class KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final String STORAGE_ERROR_ANSWER = "producers are answered KAFKA_STORAGE_ERROR and retry";
    private final StorageFailures storageFailures = new StorageFailures(LOG, "Kafka produce");
    private static final String CLUSTER_ID = "wharf";
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final VirtualHost vhost;
    private final KafkaSettings settings;
    private final ScheduledExecutorService timers;
    private final TopicAccess topicAccess;
    private final GroupApis groups;
    private final TopicConfigApis topicConfigs;
    private final TransactionApis transactions;
    private final KafkaNodes nodes;

    KafkaBroker(VirtualHost vhost, KafkaSettings settings, ScheduledExecutorService timers, KafkaNodes nodes) {
        this.vhost = vhost;
        this.nodes = nodes;
        this.settings = settings;
        this.timers = timers;
        this.topicAccess = new TopicAccess(vhost);
        this.groups = new GroupApis(vhost.groupCoordinator(), vhost.groupOffsets());
        this.topicConfigs = new TopicConfigApis(vhost);
        this.transactions = new TransactionApis(vhost, groups);
    }

    void bound(InetSocketAddress address) {
        nodes.bound(address);
    }

    String advertisedHost() {
        return nodes.advertisedHost();
    }

    /** The virtual host whose streams this broker serves. */
    VirtualHost vhost() {
        return vhost;
    }

    int advertisedPort() {
        return nodes.advertisedPort();
    }

    /**
     * Answers one request with the response's message; a null message means none is sent.
     *
     * @param connection counts the records the client produces and fetches
     * @param client     who the connection acts as, whose permissions every topic is checked against
     */
    CompletableFuture<ApiMessage> handle(RequestHeader header, AbstractRequest request, String clientHost,
                                         ClientConnection connection, Client client) {
        Optional<TopicAccess.Need> refused = topicAccess.refused(request, client);
        if (refused.isPresent()) {
            TopicAccess.Need n = refused.get();
            LOG.debug("Kafka: {} refused: user '{}' has no {} access to topic '{}'", header.apiKey(),
                    client.user().name(), n.access(), n.topic());
            return CompletableFuture.completedFuture(request.getErrorResponse(Errors.TOPIC_AUTHORIZATION_FAILED.exception(
                    "user '" + client.user().name() + "' may not " + n.access().name().toLowerCase(java.util.Locale.ROOT)
                            + " topic '" + n.topic() + "'")).data());
        }
        CompletableFuture<ApiMessage> answered = switch (request) {
            case FetchRequest r -> fetch(r, connection);
            case InitProducerIdRequest r -> transactions.initProducerId(r.data());
            case org.apache.kafka.common.requests.AddPartitionsToTxnRequest r -> transactions.addPartitions(r);
            case org.apache.kafka.common.requests.AddOffsetsToTxnRequest r -> transactions.addOffsets(r);
            case org.apache.kafka.common.requests.TxnOffsetCommitRequest r -> transactions.commitOffsets(r);
            case org.apache.kafka.common.requests.EndTxnRequest r -> transactions.end(r);
            case JoinGroupRequest r -> groups.join(r.data(), header.apiVersion(), header.clientId() == null ? "" : header.clientId(),
                    clientHost);
            case SyncGroupRequest r -> groups.sync(r.data());
            case HeartbeatRequest r -> groups.heartbeat(r.data());
            case LeaveGroupRequest r -> groups.leave(r);
            case DescribeGroupsRequest r -> CompletableFuture.completedFuture(groups.describe(r));
            case ListGroupsRequest r -> CompletableFuture.completedFuture(groups.list());
            case DeleteGroupsRequest r -> groups.delete(r);
            case org.apache.kafka.common.requests.DescribeTransactionsRequest r -> CompletableFuture.completedFuture(transactions.describe(r));
            case org.apache.kafka.common.requests.ListTransactionsRequest r -> CompletableFuture.completedFuture(transactions.list(r));
            default -> null;
        };
        if (answered != null) {
            return answered;
        }
        CompletableFuture<? extends AbstractResponse> response = switch (request) {
            case org.apache.kafka.common.requests.ApiVersionsRequest r ->
                    CompletableFuture.completedFuture(KafkaApis.apiVersions(Errors.NONE));
            case MetadataRequest r -> metadata(r, client);
            case ProduceRequest r -> produce(r, connection, client);
            case ListOffsetsRequest r -> CompletableFuture.supplyAsync(() -> listOffsets(r), vhost.streamReads());
            case FindCoordinatorRequest r -> CompletableFuture.completedFuture(findCoordinator(r, header.apiVersion()));
            case CreateTopicsRequest r -> createTopics(r, client);
            case DeleteTopicsRequest r -> deleteTopics(r, client);
            case CreatePartitionsRequest r -> createPartitions(r, client);
            case DeleteRecordsRequest r -> deleteRecords(r, client);
            case DescribeClusterRequest r -> CompletableFuture.completedFuture(describeCluster());
            case OffsetCommitRequest r -> offsetCommit(r);
            case OffsetFetchRequest r -> CompletableFuture.completedFuture(offsetFetch(r, header.apiVersion()));
            case org.apache.kafka.common.requests.DescribeConfigsRequest r -> CompletableFuture.completedFuture(topicConfigs.describe(r));
            case org.apache.kafka.common.requests.AlterConfigsRequest r -> topicConfigs.alter(r, client);
            case org.apache.kafka.common.requests.IncrementalAlterConfigsRequest r -> topicConfigs.alterIncrementally(r, client);
            default -> CompletableFuture.completedFuture(request.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception()));
        };
        return response.thenApply(r -> r == null ? null : r.data());
    }

    // ---------------------------------------------------------------- metadata

    private CompletableFuture<AbstractResponse> metadata(MetadataRequest r, Client client) {
        List<CompletableFuture<MetadataResponseData.MetadataResponseTopic>> topics = new ArrayList<>();
        if (r.isAllTopics()) {
            for (Stream s : vhost.streams()) {
                if (topicAccess.visible(s.name(), client)) {
                    topics.add(CompletableFuture.completedFuture(describe(s)));
                }
            }
        } else {
            boolean create = settings.autoCreateTopics() && r.data().allowAutoTopicCreation();
            for (MetadataRequestData.MetadataRequestTopic t : r.data().topics()) {
                if (!Uuid.ZERO_UUID.equals(t.topicId())) {
                    // Asked for by id (version 12 on; the name is then null or empty): never created on the way.
                    Stream s = stream(null, t.topicId());
                    topics.add(CompletableFuture.completedFuture(s != null && topicAccess.visible(s.name(), client) ? describe(s)
                            : new MetadataResponseData.MetadataResponseTopic().setName(null).setTopicId(t.topicId())
                                    .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())));
                    continue;
                }
                String name = t.name();
                if (!topicAccess.visible(name, client)) {
                    topics.add(CompletableFuture.completedFuture(new MetadataResponseData.MetadataResponseTopic().setName(name)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
                    continue;
                }
                topics.add(topic(name, create, client).handle((s, e) -> s != null ? describe(s)
                        : new MetadataResponseData.MetadataResponseTopic().setName(name)
                                .setErrorCode(KafkaErrors.of(e).code())));
            }
        }
        return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(v -> {
            MetadataResponseData data = new MetadataResponseData()
                    .setClusterId(CLUSTER_ID)
                    .setControllerId(nodes.self());
            for (KafkaNodes.Node n : nodes.all()) {
                data.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                        .setNodeId(n.id()).setHost(n.host()).setPort(n.port()));
            }
            for (CompletableFuture<MetadataResponseData.MetadataResponseTopic> t : topics) {
                data.topics().add(t.join());
            }
            return new MetadataResponse(data, r.version());
        });
    }

    private MetadataResponseData.MetadataResponseTopic describe(Stream s) {
        MetadataResponseData.MetadataResponseTopic t = new MetadataResponseData.MetadataResponseTopic()
                .setName(s.name()).setTopicId(topicId(s)).setIsInternal(false);
        for (StreamPartition p : s.partitions()) {
            KafkaNodes.Leadership l = nodes.leadership(p);
            // No leader during an election (or one not registered yet): clients ask again.
            t.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                    .setErrorCode(l.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                    .setPartitionIndex(p.index()).setLeaderId(l.leader()).setLeaderEpoch(l.epoch())
                    .setReplicaNodes(l.replicas()).setIsrNodes(l.inSync()).setOfflineReplicas(List.of()));
        }
        return t;
    }

    /** The stream's Kafka topic id. */
    private static Uuid topicId(Stream s) {
        UUID id = s.definition().id();
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /**
     * The stream a request names: by id when it gives one (Produce and Fetch from version 13,
     * offsets from 10, Metadata from 12), otherwise by name; null if there is none.
     */
    private Stream stream(String name, Uuid id) {
        if (id == null || Uuid.ZERO_UUID.equals(id)) {
            return name == null ? null : vhost.stream(name);
        }
        return vhost.stream(new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()));
    }

    /** The error for a topic that is not there: by id, UNKNOWN_TOPIC_ID; by name, UNKNOWN_TOPIC_OR_PARTITION. */
    private static Errors unknownTopic(Uuid id) {
        return id == null || Uuid.ZERO_UUID.equals(id) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.UNKNOWN_TOPIC_ID;
    }

    /**
     * The stream behind a topic, created with the default partition count when allowed; fails
     * with Kafka's exception for the error otherwise.
     */
    private CompletableFuture<Stream> topic(String name, boolean create, Client client) {
        Stream s = vhost.stream(name);
        if (s != null) {
            return CompletableFuture.completedFuture(s);
        }
        if (!LEGAL_TOPIC.matcher(name).matches()) {
            return CompletableFuture.failedFuture(Errors.INVALID_TOPIC_EXCEPTION.exception());
        }
        if (!create) {
            return CompletableFuture.failedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION.exception());
        }
        return vhost.streamAdmin().create(new StreamDefinition(name, settings.defaultPartitions(), Map.of()), client)
                .exceptionallyCompose(e -> {
                    // Another request created it first.
                    Stream again = vhost.stream(name);
                    return again != null ? CompletableFuture.completedFuture(again) : CompletableFuture.failedFuture(e);
                })
                .whenComplete((created, e) -> {
                    if (e == null) {
                        LOG.info("Kafka: created topic '{}' with {} partition(s) on first use", name, created.partitionCount());
                    }
                });
    }

    // ---------------------------------------------------------------- produce

    private CompletableFuture<AbstractResponse> produce(ProduceRequest r, ClientConnection connection, Client client) {
        short acks = r.acks();
        String transactionalId = r.transactionalId();
        List<CompletableFuture<ProduceResponseData.TopicProduceResponse>> topics = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData td : r.data().topicData()) {
            boolean byId = !Uuid.ZERO_UUID.equals(td.topicId());
            CompletableFuture<Stream> target = byId ? CompletableFuture.completedFuture(stream(null, td.topicId()))
                    : topic(td.name(), settings.autoCreateTopics(), client).handle((s, e) -> s);
            topics.add(target.thenCompose(stream -> {
                List<CompletableFuture<ProduceResponseData.PartitionProduceResponse>> parts = new ArrayList<>();
                for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                    parts.add(stream == null
                            ? CompletableFuture.completedFuture(partitionError(pd.index(),
                                    byId || vhost.stream(td.name()) == null ? unknownTopic(td.topicId()) : Errors.UNKNOWN_SERVER_ERROR))
                            : appendAll(stream.partition(pd.index()), pd, transactionalId, connection));
                }
                return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
                    ProduceResponseData.TopicProduceResponse t = new ProduceResponseData.TopicProduceResponse().setName(td.name())
                            .setTopicId(td.topicId());
                    parts.forEach(p -> t.partitionResponses().add(p.join()));
                    return t;
                });
            }));
        }
        // Records are released as soon as they are handed over, whatever the acks.
        r.clearPartitionRecords();
        CompletableFuture<AbstractResponse> all = CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ProduceResponseData data = new ProduceResponseData();
            topics.forEach(t -> data.responses().add(t.join()));
            return new ProduceResponse(data);
        });
        return acks == 0 ? CompletableFuture.completedFuture(null) : all;
    }

    private static ProduceResponseData.PartitionProduceResponse partitionError(int index, Errors error) {
        return new ProduceResponseData.PartitionProduceResponse().setIndex(index).setErrorCode(error.code())
                .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1).setErrorMessage(error.message());
    }

    /** Appends every batch of one partition's records, each as it arrived; answers with the first base offset. */
    private CompletableFuture<ProduceResponseData.PartitionProduceResponse> appendAll(
            StreamPartition partition, ProduceRequestData.PartitionProduceData pd, String transactionalId,
            ClientConnection connection) {
        if (partition == null) {
            return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        if (!nodes.leadsHere(partition)) {
            // The client refreshes its metadata and sends the records to the leader.
            return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.NOT_LEADER_OR_FOLLOWER));
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.CORRUPT_MESSAGE));
        }
        ByteBuffer buffer = records.buffer();
        int position = buffer.position();
        List<CompletableFuture<Long>> appended = new ArrayList<>();
        try {
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT));
                }
                // Checked here, once: the log appends it without hashing it again. The request's bytes
                // are the connection's own copy: the log may write the base offset into them and keep
                // them until written.
                CheckedBatch copy = CheckedBatch.check(buffer.slice(position, batch.sizeInBytes()));
                countIn(connection, batch);
                position += batch.sizeInBytes();
                if (batch.isTransactional()) {
                    Errors refused = transactionalWriteError(transactionalId, batch, partition);
                    if (refused != Errors.NONE) {
                        return CompletableFuture.completedFuture(partitionError(pd.index(), refused));
                    }
                }
                if (batch.hasProducerId()) {
                    int firstSequence = batch.baseSequence();
                    short epoch = batch.producerEpoch();
                    var outcome = batch.isTransactional()
                            ? partition.appendTransactional(copy, batch.producerId(), epoch, firstSequence, batch.lastSequence())
                            : partition.appendIdempotent(copy, batch.producerId(), epoch, firstSequence, batch.lastSequence());
                    CompletableFuture<Long> f = outcome.thenCompose(o -> switch (o) {
                        case StreamPartition.Appended a -> a.baseOffset();
                        case StreamPartition.AlreadyWritten w -> CompletableFuture.completedFuture(w.baseOffset());
                        case StreamPartition.SequenceGap g -> CompletableFuture.failedFuture(
                                Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.exception("expected sequence " + g.expected()
                                        + ", got " + firstSequence));
                        case StreamPartition.ProducerFenced f2 -> CompletableFuture.failedFuture(
                                Errors.INVALID_PRODUCER_EPOCH.exception("producer epoch " + epoch
                                        + " is older than " + f2.currentEpoch()));
                    });
                    appended.add(f);
                } else {
                    appended.add(partition.append(copy));
                }
            }
        } catch (org.apache.kafka.common.errors.CorruptRecordException | InvalidRecordException e) {
            return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.CORRUPT_MESSAGE));
        } catch (StorageException e) {
            storageFailures.failed(e, STORAGE_ERROR_ANSWER);
            return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.KAFKA_STORAGE_ERROR));
        }
        if (appended.isEmpty()) {
            return CompletableFuture.completedFuture(partitionError(pd.index(), Errors.CORRUPT_MESSAGE));
        }
        return CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            if (e != null) {
                // As Kafka answers a log it cannot write: kafka-clients retry it until delivery.timeout.ms.
                if (StorageFailures.storageCause(e) != null) {
                    storageFailures.failed(e, STORAGE_ERROR_ANSWER);
                    return partitionError(pd.index(), Errors.KAFKA_STORAGE_ERROR);
                }
                if (KafkaErrors.unwrap(e) instanceof BrokerException b && b.kind() == BrokerException.Kind.RESOURCE_ERROR) {
                    // On a cluster: not on a majority of the partition's replicas in time. Producers retry it.
                    return partitionError(pd.index(), Errors.NOT_ENOUGH_REPLICAS);
                }
                return partitionError(pd.index(), KafkaErrors.of(e));
            }
            storageFailures.stored();
            return new ProduceResponseData.PartitionProduceResponse().setIndex(pd.index())
                    .setBaseOffset(appended.get(0).join()).setLogAppendTimeMs(-1)
                    .setLogStartOffset(partition.logStartOffset());
        });
    }

    /** Counts a batch's records as messages the client published. */
    private static void countIn(ClientConnection connection, MutableRecordBatch batch) {
        if (batch.isControlBatch()) {
            return;
        }
        connection.messagesIn(batch.lastOffset() - batch.baseOffset() + 1);
    }

    /** Why a transactional batch may not be written to the partition now, or NONE. */
    private Errors transactionalWriteError(String transactionalId, MutableRecordBatch batch, StreamPartition partition) {
        if (transactionalId == null) {
            return Errors.INVALID_TXN_STATE;
        }
        var outcome = vhost.transactions().checkWrite(transactionalId, batch.producerId(), batch.producerEpoch(),
                new io.wharf.core.stream.TransactionCoordinator.PartitionRef(partition.stream(), partition.index()));
        return switch (outcome) {
            case NONE -> Errors.NONE;
            // Produce reports a zombie producer as an old epoch.
            case FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case UNKNOWN_PRODUCER -> Errors.INVALID_PRODUCER_ID_MAPPING;
            default -> Errors.INVALID_TXN_STATE;
        };
    }

    // ---------------------------------------------------------------- fetch

    /** A fetch is read off the network threads, and waits in {@link DelayedFetch} while it finds less than min.bytes. */
    private CompletableFuture<ApiMessage> fetch(FetchRequest r, ClientConnection connection) {
        FetchRequestData d = r.data();
        boolean committed = r.isolationLevel() == org.apache.kafka.common.IsolationLevel.READ_COMMITTED;
        List<DelayedFetch.Watched> watched = new ArrayList<>();
        for (int ti = 0; ti < d.topics().size(); ti++) {
            FetchRequestData.FetchTopic t = d.topics().get(ti);
            Stream s = stream(t.topic(), t.topicId());
            for (int pi = 0; pi < t.partitions().size(); pi++) {
                FetchRequestData.FetchPartition p = t.partitions().get(pi);
                StreamPartition sp = s == null ? null : s.partition(p.partition());
                if (sp != null) {
                    watched.add(new DelayedFetch.Watched(sp, p.fetchOffset(), ti, pi));
                }
            }
        }
        long maxWaitMs = d.maxWaitMs() <= 0 ? 0 : d.maxWaitMs();
        return DelayedFetch.start(records -> readAll(d, committed, records), watched, committed, d.minBytes(), maxWaitMs,
                vhost.streamReads(), timers).thenApply(a -> {
            connection.messagesOut(a.records());
            return a.response();
        });
    }

    /**
     * Reads every partition the fetch asks for; {@code records} gets the number of records read,
     * counted by their offsets (so control records and aborted ones count too: an approximation).
     */
    private FetchResponseData readAll(FetchRequestData d, boolean committed, long[] records) {
        FetchResponseData out = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        int budget = d.maxBytes() > 0 ? d.maxBytes() : Integer.MAX_VALUE;
        for (FetchRequestData.FetchTopic t : d.topics()) {
            FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(t.topic()).setTopicId(t.topicId());
            Stream s = stream(t.topic(), t.topicId());
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                StreamPartition sp = s == null ? null : s.partition(p.partition());
                FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData().setPartitionIndex(p.partition());
                if (sp == null) {
                    pd.setErrorCode((s == null ? unknownTopic(t.topicId()) : Errors.UNKNOWN_TOPIC_OR_PARTITION).code()).setHighWatermark(-1).setLastStableOffset(-1)
                            .setLogStartOffset(-1).setRecords(MemoryRecords.EMPTY);
                } else {
                    int size = read(sp, p.fetchOffset(), Math.min(p.partitionMaxBytes(), budget), committed, pd, records);
                    // The first partition with data is served even past max.bytes, so a big batch never stalls.
                    budget = Math.max(0, budget - size);
                }
                tr.partitions().add(pd);
            }
            out.responses().add(tr);
        }
        return out;
    }

    /**
     * Reads one partition into {@code pd}. A read_committed reader stops at the last stable offset
     * and is told which transactions in what it got were aborted, so it can skip their records.
     */
    private static int read(StreamPartition sp, long offset, int maxBytes, boolean committed, FetchResponseData.PartitionData pd,
                            long[] records) {
        long hw = sp.highWatermark();
        long stable = sp.lastStableOffset();
        pd.setHighWatermark(hw).setLastStableOffset(stable).setLogStartOffset(sp.logStartOffset());
        long end = committed ? stable : hw;
        if (offset == end || maxBytes <= 0) {
            pd.setRecords(MemoryRecords.EMPTY);
            return 0;
        }
        try (LogSlice slice = committed ? sp.read(offset, Math.max(1, maxBytes), stable) : sp.read(offset, Math.max(1, maxBytes))) {
            if (slice.isEmpty()) {
                pd.setRecords(MemoryRecords.EMPTY);
                return 0;
            }
            if (committed) {
                List<FetchResponseData.AbortedTransaction> aborted = new ArrayList<>();
                for (StreamPartition.AbortedTransaction a : sp.abortedTransactions(offset, slice.nextOffset())) {
                    aborted.add(new FetchResponseData.AbortedTransaction().setProducerId(a.producerId()).setFirstOffset(a.firstOffset()));
                }
                pd.setAbortedTransactions(aborted);
            }
            // Checked now, sent later straight from the file.
            LogSlice.FileRegion region = slice.region();
            pd.setRecords(new FileRegionRecords(region.file(), region.position(), region.length()));
            records[0] += Math.max(0, slice.nextOffset() - offset);
            return region.length();
        } catch (OffsetOutOfRangeException e) {
            pd.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()).setRecords(MemoryRecords.EMPTY);
            return 0;
        } catch (StorageException e) {
            pd.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setRecords(MemoryRecords.EMPTY);
            return 0;
        }
    }

    // ---------------------------------------------------------------- offsets

    private ListOffsetsResponse listOffsets(ListOffsetsRequest r) {
        ListOffsetsResponseData out = new ListOffsetsResponseData();
        boolean committed = r.data().isolationLevel() == org.apache.kafka.common.IsolationLevel.READ_COMMITTED.id();
        for (ListOffsetsRequestData.ListOffsetsTopic t : r.data().topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse tr = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(t.name());
            Stream s = vhost.stream(t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions()) {
                StreamPartition sp = s == null ? null : s.partition(p.partitionIndex());
                ListOffsetsResponseData.ListOffsetsPartitionResponse pr = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1);
                if (r.version() >= 4) {
                    // Older versions have no leader epoch, and kafka-clients refuses to write one into them.
                    pr.setLeaderEpoch(sp == null ? -1 : nodes.leadership(sp).epoch());
                }
                if (sp == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (p.timestamp() == ListOffsetsRequest.EARLIEST_TIMESTAMP) {
                    pr.setOffset(sp.logStartOffset());
                } else if (committed && !sp.recovered()) {
                    // The partition's transactions are still being read at open: the client retries.
                    pr.setErrorCode(Errors.OFFSET_NOT_AVAILABLE.code());
                } else if (p.timestamp() == ListOffsetsRequest.LATEST_TIMESTAMP) {
                    pr.setOffset(committed ? sp.lastStableOffset() : sp.highWatermark());
                } else if (p.timestamp() >= 0) {
                    var found = sp.offsetForTimestamp(p.timestamp());
                    if (found.isPresent() && found.getAsLong() < (committed ? sp.lastStableOffset() : sp.highWatermark())) {
                        pr.setOffset(found.getAsLong()).setTimestamp(p.timestamp());
                    }
                } else {
                    pr.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
                }
                tr.partitions().add(pr);
            }
            out.topics().add(tr);
        }
        return new ListOffsetsResponse(out);
    }

    // ---------------------------------------------------------------- coordinators and cluster

    /**
     * Names the node that coordinates a group (or a transactional id): on a cluster, the leader of
     * the data group the key is placed on, so that every client of one group meets on one node.
     */
    private FindCoordinatorResponse findCoordinator(FindCoordinatorRequest r, short version) {
        FindCoordinatorResponseData out = new FindCoordinatorResponseData();
        if (version < 4) {
            Optional<KafkaNodes.Node> n = coordinator(r.data().key());
            n.ifPresentOrElse(c -> out.setNodeId(c.id()).setHost(c.host()).setPort(c.port()),
                    () -> out.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setNodeId(-1).setHost("").setPort(-1));
        } else {
            for (String key : r.data().coordinatorKeys()) {
                FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key);
                coordinator(key).ifPresentOrElse(n -> c.setNodeId(n.id()).setHost(n.host()).setPort(n.port()),
                        () -> c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setNodeId(-1).setHost("").setPort(-1));
                out.coordinators().add(c);
            }
        }
        return new FindCoordinatorResponse(out);
    }

    private Optional<KafkaNodes.Node> coordinator(String key) {
        return nodes.node(nodes.leadership(GroupOffsets.placementKey(vhost.name(), key)).leader());
    }

    private DescribeClusterResponse describeCluster() {
        DescribeClusterResponseData out = new DescribeClusterResponseData().setClusterId(CLUSTER_ID).setControllerId(nodes.self());
        for (KafkaNodes.Node n : nodes.all()) {
            out.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(n.id()).setHost(n.host()).setPort(n.port()));
        }
        return new DescribeClusterResponse(out);
    }

    // ---------------------------------------------------------------- consumer groups

    private CompletableFuture<AbstractResponse> offsetCommit(OffsetCommitRequest r) {
        OffsetCommitRequestData d = r.data();
        return groups.commitAllowed(d.groupId(), d.memberId(), d.generationIdOrMemberEpoch(), d.groupInstanceId())
                .thenCompose(groupError -> offsetCommit(r, groupError));
    }

    private CompletableFuture<AbstractResponse> offsetCommit(OffsetCommitRequest r, Errors groupError) {
        OffsetCommitRequestData d = r.data();
        OffsetCommitResponseData out = new OffsetCommitResponseData();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : d.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic tr = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                    .setName(t.name()).setTopicId(t.topicId());
            Stream s = stream(t.name(), t.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition pr = new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                if (groupError != Errors.NONE) {
                    pr.setErrorCode(groupError.code());
                } else if (s == null) {
                    pr.setErrorCode(unknownTopic(t.topicId()).code());
                } else if (s.partition(p.partitionIndex()) == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    writes.add(vhost.groupOffsets().commit(d.groupId(), s.name(), p.partitionIndex(), p.committedOffset(),
                            p.committedMetadata()).whenComplete((v, e) -> {
                                if (e != null) {
                                    pr.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
                                }
                            }));
                }
                tr.partitions().add(pr);
            }
            out.topics().add(tr);
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((v, e) -> new OffsetCommitResponse(out));
    }

    private OffsetFetchResponse offsetFetch(OffsetFetchRequest r, short version) {
        OffsetFetchResponseData out = new OffsetFetchResponseData();
        if (version >= 8) {
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : r.data().groups()) {
                OffsetFetchResponseData.OffsetFetchResponseGroup gr = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                        .setGroupId(g.groupId());
                Map<String, List<Integer>> wanted = null;
                if (g.topics() != null) {
                    wanted = new LinkedHashMap<>();
                    for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                        Stream s = stream(t.name(), t.topicId());
                        if (s != null) {
                            wanted.put(s.name(), t.partitionIndexes());
                        } else if (t.name() != null && !t.name().isEmpty()) {
                            // By name, a topic with no stream is answered like any other: no offset.
                            wanted.put(t.name(), t.partitionIndexes());
                        } else {
                            OffsetFetchResponseData.OffsetFetchResponseTopics unknown = new OffsetFetchResponseData.OffsetFetchResponseTopics()
                                    .setTopicId(t.topicId());
                            t.partitionIndexes().forEach(p -> unknown.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                                    .setPartitionIndex(p).setCommittedOffset(-1).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())));
                            gr.topics().add(unknown);
                        }
                    }
                }
                committed(g.groupId(), wanted).forEach((topic, parts) -> {
                    Stream s = vhost.stream(topic);
                    if (version >= 10 && s == null) {
                        // From version 10 a topic is known to the client only by its id.
                        return;
                    }
                    OffsetFetchResponseData.OffsetFetchResponseTopics tr = new OffsetFetchResponseData.OffsetFetchResponseTopics()
                            .setName(topic).setTopicId(s == null ? Uuid.ZERO_UUID : topicId(s));
                    parts.forEach(c -> tr.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                            .setPartitionIndex(c.partition()).setCommittedOffset(c.offset()).setCommittedLeaderEpoch(-1)
                            .setMetadata(c.metadata()).setErrorCode(stability(r, g.groupId(), c).code())));
                    gr.topics().add(tr);
                });
                out.groups().add(gr);
            }
        } else {
            Map<String, List<Integer>> wanted = null;
            if (r.data().topics() != null) {
                wanted = new LinkedHashMap<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : r.data().topics()) {
                    wanted.put(t.name(), t.partitionIndexes());
                }
            }
            committed(r.data().groupId(), wanted).forEach((topic, parts) -> {
                OffsetFetchResponseData.OffsetFetchResponseTopic tr = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic);
                parts.forEach(c -> tr.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(c.partition()).setCommittedOffset(c.offset()).setCommittedLeaderEpoch(-1)
                        .setMetadata(c.metadata()).setErrorCode(stability(r, r.data().groupId(), c).code())));
                out.topics().add(tr);
            });
        }
        return new OffsetFetchResponse(out, version);
    }

    /**
     * A consumer that asks for stable offsets (read_committed) is told to retry while a
     * transaction may still commit a newer offset for the partition.
     */
    private Errors stability(OffsetFetchRequest r, String group, GroupOffsets.Committed c) {
        return r.data().requireStable() && vhost.transactions().hasPendingOffset(group, c.stream(), c.partition())
                ? Errors.UNSTABLE_OFFSET_COMMIT : Errors.NONE;
    }

    /** Committed offsets by topic: those asked for (-1 where none), or all the group has if {@code wanted} is null. */
    private Map<String, List<GroupOffsets.Committed>> committed(String group, Map<String, List<Integer>> wanted) {
        Map<String, List<GroupOffsets.Committed>> out = new LinkedHashMap<>();
        if (wanted == null) {
            for (GroupOffsets.Committed c : vhost.groupOffsets().all(group)) {
                out.computeIfAbsent(c.stream(), k -> new ArrayList<>()).add(c);
            }
            return out;
        }
        wanted.forEach((topic, partitions) -> {
            List<GroupOffsets.Committed> list = new ArrayList<>();
            for (int p : partitions) {
                list.add(vhost.groupOffsets().get(group, topic, p).orElse(new GroupOffsets.Committed(topic, p, -1, "")));
            }
            out.put(topic, list);
        });
        return out;
    }

    // ---------------------------------------------------------------- topics

    private CompletableFuture<AbstractResponse> createTopics(CreateTopicsRequest r, Client client) {
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (CreatableTopic t : r.data().topics()) {
            results.add(createTopic(t, r.data().validateOnly(), client));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            CreateTopicsResponseData out = new CreateTopicsResponseData();
            results.forEach(f -> out.topics().add(f.join()));
            return new CreateTopicsResponse(out);
        });
    }

    private CompletableFuture<CreatableTopicResult> createTopic(CreatableTopic t, boolean validateOnly, Client client) {
        int partitions = t.numPartitions() < 0 ? settings.defaultPartitions() : t.numPartitions();
        CreatableTopicResult result = new CreatableTopicResult().setName(t.name()).setTopicId(Uuid.ZERO_UUID)
                .setNumPartitions(partitions).setReplicationFactor((short) nodes.replicationFactor());
        Errors error = null;
        String message = null;
        Map<String, String> configs = new HashMap<>();
        if (!LEGAL_TOPIC.matcher(t.name()).matches() || t.name().equals(".") || t.name().equals("..")) {
            error = Errors.INVALID_TOPIC_EXCEPTION;
            message = "topic names are 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'";
        } else if (vhost.stream(t.name()) != null) {
            error = Errors.TOPIC_ALREADY_EXISTS;
            message = "topic '" + t.name() + "' already exists";
        } else if (partitions == 0 || partitions > StreamDefinition.MAX_PARTITIONS) {
            error = Errors.INVALID_PARTITIONS;
            message = "a topic has 1 to " + StreamDefinition.MAX_PARTITIONS + " partitions, not " + partitions;
        } else if (t.replicationFactor() > nodes.replicationFactor()) {
            // A smaller one is given more copies than it asked for: partitions are kept on every member of their group.
            error = Errors.INVALID_REPLICATION_FACTOR;
            message = "partitions are kept on " + nodes.replicationFactor() + " node(s) here, not " + t.replicationFactor();
        } else if (!t.assignments().isEmpty()) {
            error = Errors.INVALID_REQUEST;
            message = "manual replica assignment is not supported";
        } else {
            for (var c : t.configs()) {
                String problem = StreamConfigs.problem(c.name(), c.value());
                if (problem != null) {
                    error = Errors.INVALID_CONFIG;
                    message = problem;
                    break;
                }
                configs.put(c.name(), c.value());
            }
        }
        if (error != null) {
            return CompletableFuture.completedFuture(result.setErrorCode(error.code()).setErrorMessage(message));
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(result);
        }
        return vhost.streamAdmin().create(new StreamDefinition(t.name(), partitions, configs), client).handle((s, e) -> {
            if (e != null) {
                Throwable cause = unwrap(e);
                Errors err = cause instanceof BrokerException b && b.kind() == BrokerException.Kind.PRECONDITION_FAILED
                        ? Errors.TOPIC_ALREADY_EXISTS : KafkaErrors.of(cause);
                return result.setErrorCode(err.code()).setErrorMessage(cause.getMessage());
            }
            return result.setTopicId(topicId(s));
        });
    }

    /**
     * Raises partitions' start offsets (Admin.deleteRecords, kafka-delete-records.sh, Kafka
     * Streams purging its repartition topics): an offset of -1 means the high watermark, one past
     * it is out of range.
     */
    private CompletableFuture<AbstractResponse> deleteRecords(DeleteRecordsRequest r, Client client) {
        DeleteRecordsResponseData out = new DeleteRecordsResponseData();
        List<CompletableFuture<?>> deletions = new ArrayList<>();
        for (var t : r.data().topics()) {
            var tr = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(t.name());
            Stream s = vhost.stream(t.name());
            for (var p : t.partitions()) {
                var pr = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                tr.partitions().add(pr);
                StreamPartition sp = s == null ? null : s.partition(p.partitionIndex());
                if (sp == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                long to = p.offset() == DeleteRecordsRequest.HIGH_WATERMARK ? sp.highWatermark() : p.offset();
                if (to < 0 || to > sp.highWatermark()) {
                    pr.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                    continue;
                }
                deletions.add(vhost.streamAdmin().deleteRecords(t.name(), p.partitionIndex(), to, client).handle((start, e) -> e == null
                        ? pr.setLowWatermark(start)
                        : pr.setErrorCode(deleteRecordsError(e).code())));
            }
            out.topics().add(tr);
        }
        return CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)).thenApply(v -> new DeleteRecordsResponse(out));
    }

    private CompletableFuture<AbstractResponse> deleteTopics(DeleteTopicsRequest r, Client client) {
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        // Up to version 5 topics are named; from 6 on each is named or given by id.
        List<DeleteTopicsRequestData.DeleteTopicState> wanted = r.version() >= 6 ? r.data().topics()
                : r.data().topicNames().stream().map(n -> new DeleteTopicsRequestData.DeleteTopicState().setName(n)).toList();
        for (DeleteTopicsRequestData.DeleteTopicState t : wanted) {
            Stream s = stream(t.name(), t.topicId());
            DeletableTopicResult result = new DeletableTopicResult().setName(s == null ? t.name() : s.name())
                    .setTopicId(s == null ? t.topicId() : topicId(s));
            if (s == null) {
                results.add(CompletableFuture.completedFuture(result.setErrorCode(unknownTopic(t.topicId()).code())));
                continue;
            }
            results.add(vhost.streamAdmin().delete(s.name(), client).handle((v, e) -> e == null ? result
                    : result.setErrorCode(unknownTopic(t.topicId()).code()).setErrorMessage(unwrap(e).getMessage())));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            DeleteTopicsResponseData out = new DeleteTopicsResponseData();
            results.forEach(f -> out.responses().add(f.join()));
            return new DeleteTopicsResponse(out);
        });
    }

    private CompletableFuture<AbstractResponse> createPartitions(CreatePartitionsRequest r, Client client) {
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic t : r.data().topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(t.name());
            Stream s = vhost.stream(t.name());
            if (s == null) {
                results.add(CompletableFuture.completedFuture(result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())));
            } else if (t.count() <= s.partitionCount()) {
                results.add(CompletableFuture.completedFuture(result.setErrorCode(Errors.INVALID_PARTITIONS.code())
                        .setErrorMessage("topic '" + t.name() + "' has " + s.partitionCount() + " partitions; it can only grow")));
            } else if (t.count() > StreamDefinition.MAX_PARTITIONS) {
                results.add(CompletableFuture.completedFuture(result.setErrorCode(Errors.INVALID_PARTITIONS.code())
                        .setErrorMessage("a topic has at most " + StreamDefinition.MAX_PARTITIONS + " partitions")));
            } else if (r.data().validateOnly()) {
                results.add(CompletableFuture.completedFuture(result));
            } else {
                results.add(vhost.streamAdmin().addPartitions(t.name(), t.count(), client).handle((v, e) -> e == null ? result
                        : result.setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage(unwrap(e).getMessage())));
            }
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            CreatePartitionsResponseData out = new CreatePartitionsResponseData();
            results.forEach(f -> out.results().add(f.join()));
            return new CreatePartitionsResponse(out);
        });
    }

    /** Kafka answers a log it cannot truncate with KAFKA_STORAGE_ERROR; refusals and missing partitions keep their own codes. */
    private static Errors deleteRecordsError(Throwable e) {
        return unwrap(e) instanceof BrokerException b && (b.kind() == BrokerException.Kind.NOT_FOUND
                || b.kind() == BrokerException.Kind.ACCESS_REFUSED) ? KafkaErrors.of(e) : Errors.KAFKA_STORAGE_ERROR;
    }

    private static Throwable unwrap(Throwable e) {
        return KafkaErrors.unwrap(e);
    }
}
