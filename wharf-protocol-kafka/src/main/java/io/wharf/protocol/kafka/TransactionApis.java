package io.wharf.protocol.kafka;

import io.wharf.core.stream.Stream;
import io.wharf.core.stream.TransactionCoordinator;
import io.wharf.core.stream.TransactionCoordinator.Outcome;
import io.wharf.core.stream.TransactionCoordinator.PartitionRef;
import io.wharf.core.stream.TransactionCoordinator.PendingOffset;
import io.wharf.core.vhost.VirtualHost;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Kafka's transaction APIs over the virtual host's {@link TransactionCoordinator}: producer ids
 * for transactional ids, partitions and groups joining a transaction, transactional offset
 * commits, ending a transaction, and the admin views of transactions.
 *
 * <p>Threading: called on connection event loops.
 */
final class TransactionApis {

    private final VirtualHost vhost;
    private final GroupApis groups;

    TransactionApis(VirtualHost vhost, GroupApis groups) {
        this.vhost = vhost;
        this.groups = groups;
    }

    private TransactionCoordinator coordinator() {
        return vhost.transactions();
    }

    /** Kafka's error for what the coordinator decided. */
    static Errors error(Outcome o) {
        return switch (o) {
            case NONE -> Errors.NONE;
            case UNKNOWN_PRODUCER -> Errors.INVALID_PRODUCER_ID_MAPPING;
            case FENCED -> Errors.PRODUCER_FENCED;
            case INVALID_STATE -> Errors.INVALID_TXN_STATE;
            case CONCURRENT -> Errors.CONCURRENT_TRANSACTIONS;
            case INVALID_TIMEOUT -> Errors.INVALID_TRANSACTION_TIMEOUT;
            // Retriable for every client: it looks the coordinator up again and retries.
            case STORAGE_ERROR -> Errors.COORDINATOR_NOT_AVAILABLE;
        };
    }

    CompletableFuture<ApiMessage> initProducerId(InitProducerIdRequestData d) {
        if (d.transactionalId() == null) {
            InitProducerIdResponseData out = new InitProducerIdResponseData();
            if (d.producerId() >= 0 && d.producerEpoch() >= 0 && d.producerEpoch() < Short.MAX_VALUE - 1) {
                // An idempotent producer that lost track of its sequences bumps its epoch to start afresh.
                out.setProducerId(d.producerId()).setProducerEpoch((short) (d.producerEpoch() + 1));
            } else {
                out.setProducerId(coordinator().newProducerId()).setProducerEpoch((short) 0);
            }
            return CompletableFuture.completedFuture(out);
        }
        if (d.enable2Pc() || d.keepPreparedTxn()) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setProducerId(-1).setProducerEpoch((short) -1));
        }
        return coordinator().initProducer(d.transactionalId(), d.transactionTimeoutMs(), d.producerId(), d.producerEpoch())
                .thenApply(p -> new InitProducerIdResponseData().setErrorCode(error(p.outcome()).code())
                        .setProducerId(p.producerId()).setProducerEpoch(p.epoch()));
    }

    CompletableFuture<ApiMessage> addPartitions(AddPartitionsToTxnRequest r) {
        var d = r.data();
        List<PartitionRef> known = new ArrayList<>();
        Set<PartitionRef> unknown = new HashSet<>();
        for (AddPartitionsToTxnTopic t : d.v3AndBelowTopics()) {
            Stream s = vhost.stream(t.name());
            for (int p : t.partitions()) {
                PartitionRef ref = new PartitionRef(t.name(), p);
                (s != null && s.partition(p) != null ? known : unknown).add(ref);
            }
        }
        CompletableFuture<Outcome> added = unknown.isEmpty()
                ? coordinator().addPartitions(d.v3AndBelowTransactionalId(), d.v3AndBelowProducerId(), d.v3AndBelowProducerEpoch(), known)
                : CompletableFuture.completedFuture(Outcome.NONE);
        return added.thenApply(o -> {
            AddPartitionsToTxnResponseData out = new AddPartitionsToTxnResponseData();
            for (AddPartitionsToTxnTopic t : d.v3AndBelowTopics()) {
                AddPartitionsToTxnTopicResult tr = new AddPartitionsToTxnTopicResult().setName(t.name());
                for (int p : t.partitions()) {
                    Errors e;
                    if (unknown.isEmpty()) {
                        e = error(o);
                    } else {
                        // As Kafka answers: the unknown partitions fail, the others were not attempted.
                        e = unknown.contains(new PartitionRef(t.name(), p)) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                                : Errors.OPERATION_NOT_ATTEMPTED;
                    }
                    tr.resultsByPartition().add(new AddPartitionsToTxnPartitionResult().setPartitionIndex(p)
                            .setPartitionErrorCode(e.code()));
                }
                out.resultsByTopicV3AndBelow().add(tr);
            }
            return out;
        });
    }

    CompletableFuture<ApiMessage> addOffsets(AddOffsetsToTxnRequest r) {
        var d = r.data();
        return coordinator().addGroup(d.transactionalId(), d.producerId(), d.producerEpoch(), d.groupId())
                .thenApply(o -> new AddOffsetsToTxnResponseData().setErrorCode(error(o).code()));
    }

    CompletableFuture<ApiMessage> commitOffsets(TxnOffsetCommitRequest r) {
        TxnOffsetCommitRequestData d = r.data();
        CompletableFuture<Errors> allowed = groups.commitAllowed(d.groupId(), d.memberId(), d.generationId(), d.groupInstanceId());
        Map<PartitionRef, PendingOffset> offsets = new LinkedHashMap<>();
        Set<PartitionRef> unknown = new HashSet<>();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : d.topics()) {
            Stream s = vhost.stream(t.name());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                PartitionRef ref = new PartitionRef(t.name(), p.partitionIndex());
                if (s == null || s.partition(p.partitionIndex()) == null) {
                    unknown.add(ref);
                } else {
                    offsets.put(ref, new PendingOffset(p.committedOffset(), p.committedMetadata()));
                }
            }
        }
        CompletableFuture<Errors> outcome = allowed.thenCompose(a -> a != Errors.NONE ? CompletableFuture.completedFuture(a)
                : coordinator().commitOffsets(d.transactionalId(), d.producerId(), d.producerEpoch(), d.groupId(), offsets)
                        .thenApply(TransactionApis::error));
        return outcome.thenApply(error -> {
            TxnOffsetCommitResponseData out = new TxnOffsetCommitResponseData();
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : d.topics()) {
                TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic tr = new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
                        .setName(t.name());
                for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                    Errors e = unknown.contains(new PartitionRef(t.name(), p.partitionIndex())) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : error;
                    tr.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
                }
                out.topics().add(tr);
            }
            return out;
        });
    }

    CompletableFuture<ApiMessage> end(EndTxnRequest r) {
        var d = r.data();
        return coordinator().end(d.transactionalId(), d.producerId(), d.producerEpoch(), d.committed())
                .thenApply(o -> new EndTxnResponseData().setErrorCode(error(o).code())
                        .setProducerId(d.producerId()).setProducerEpoch(d.producerEpoch()));
    }

    ApiMessage describe(DescribeTransactionsRequest r) {
        Map<String, TransactionCoordinator.View> byId = new LinkedHashMap<>();
        coordinator().transactions().forEach(v -> byId.put(v.transactionalId(), v));
        DescribeTransactionsResponseData out = new DescribeTransactionsResponseData();
        for (String id : r.data().transactionalIds()) {
            TransactionCoordinator.View v = byId.get(id);
            DescribeTransactionsResponseData.TransactionState ts = new DescribeTransactionsResponseData.TransactionState()
                    .setTransactionalId(id);
            if (v == null) {
                ts.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code()).setTransactionState("").setProducerId(-1)
                        .setProducerEpoch((short) -1).setTransactionStartTimeMs(-1);
            } else {
                ts.setTransactionState(v.state()).setTransactionTimeoutMs(v.timeoutMs()).setTransactionStartTimeMs(v.startedAt())
                        .setProducerId(v.producerId()).setProducerEpoch(v.epoch());
                Map<String, List<Integer>> topics = new LinkedHashMap<>();
                v.partitions().forEach(p -> topics.computeIfAbsent(p.stream(), k -> new ArrayList<>()).add(p.partition()));
                topics.forEach((topic, parts) -> ts.topics().add(new DescribeTransactionsResponseData.TopicData()
                        .setTopic(topic).setPartitions(parts)));
            }
            out.transactionStates().add(ts);
        }
        return out;
    }

    ApiMessage list(ListTransactionsRequest r) {
        ListTransactionsRequestData d = r.data();
        ListTransactionsResponseData out = new ListTransactionsResponseData();
        Pattern idPattern;
        try {
            idPattern = d.transactionalIdPattern() == null || d.transactionalIdPattern().isEmpty()
                    ? null : Pattern.compile(d.transactionalIdPattern());
        } catch (PatternSyntaxException e) {
            return out.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code());
        }
        Set<String> unknownStates = new HashSet<>();
        long now = System.currentTimeMillis();
        for (TransactionCoordinator.View v : coordinator().transactions()) {
            boolean keep = (d.stateFilters().isEmpty() || d.stateFilters().contains(v.state()))
                    && (d.producerIdFilters().isEmpty() || d.producerIdFilters().contains(v.producerId()))
                    && (d.durationFilter() < 0 || (v.startedAt() >= 0 && now - v.startedAt() >= d.durationFilter()))
                    && (idPattern == null || idPattern.matcher(v.transactionalId()).matches());
            if (keep) {
                out.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(v.transactionalId()).setProducerId(v.producerId()).setTransactionState(v.state()));
            }
        }
        for (String s : d.stateFilters()) {
            if (!List.of("Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort").contains(s)) {
                unknownStates.add(s);
            }
        }
        return out.setUnknownStateFilters(new ArrayList<>(unknownStates));
    }
}
