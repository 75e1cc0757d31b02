package io.wharf.protocol.kafka;

import io.wharf.protocol.common.EventLoops;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.Broker;
import io.wharf.core.BrokerSettings;
import io.wharf.storage.Storage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every version Wharf advertises for every API, each sent a request with real content and read
 * back at that same version. Clients in other languages pick older versions than kafka-clients
 * does (librdkafka asks for ListOffsets v2 and Metadata v4, for example), so each answer has to be
 * one that version can carry, not only the newest.
 */
class KafkaEveryVersionTest {

    private static final String TOPIC = "versions";

    @TempDir
    Path dir;

    private Broker broker;
    private final EventLoops loops = EventLoops.start();
    private KafkaEndpoint endpoint;
    private KafkaWire wire;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)));
        endpoint = KafkaEndpoint.start(broker, KafkaSettings.defaults().withHost("127.0.0.1").withPort(0), loops);
        wire = new KafkaWire(endpoint.port());
    }

    @AfterEach
    void stop() throws IOException {
        wire.close();
        endpoint.close();
        loops.close();
        broker.close();
    }

    /** The versions of {@code api} Wharf advertises, oldest first; never empty. */
    private static List<Short> versions(ApiKeys api) {
        List<Short> out = new ArrayList<>();
        for (short v = api.oldestVersion(); v <= api.latestVersion(); v++) {
            if (KafkaApis.supports(api, v)) {
                out.add(v);
            }
        }
        assertThat(out).as("versions of %s", api).isNotEmpty();
        return out;
    }

    /** The newest advertised version of {@code api} not above {@code v}, so a loop over one API's versions covers another's. */
    private static short upTo(ApiKeys api, int v) {
        List<Short> all = versions(api);
        short best = all.get(0);
        for (short s : all) {
            if (s <= v) {
                best = s;
            }
        }
        return best;
    }

    private MetadataResponseData metadata(short v, String topic) throws IOException {
        MetadataRequestData req = new MetadataRequestData().setTopics(new ArrayList<>(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(topic))));
        if (v >= 4) {
            req.setAllowAutoTopicCreation(true);
        }
        return (MetadataResponseData) wire.call(req, v);
    }

    private static MemoryRecords records(String... values) {
        SimpleRecord[] rs = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            rs[i] = new SimpleRecord(("k" + i).getBytes(StandardCharsets.UTF_8), values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, rs);
    }

    /** The topic's id, which names it from Produce and Fetch 13, OffsetCommit and OffsetFetch 10, and DeleteTopics 6 on. */
    private Uuid topicId(String topic) throws IOException {
        Uuid id = metadata((short) 12, topic).topics().find(topic).topicId();
        assertThat(id).isNotEqualTo(Uuid.ZERO_UUID);
        return id;
    }

    /** Names the topic both ways: each version writes the one it has. */
    private static ProduceRequestData produceRequest(String topic, Uuid id, MemoryRecords records) {
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(id);
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        req.topicData().add(t);
        return req;
    }

    private static ProduceResponseData.PartitionProduceResponse only(ProduceResponseData r) {
        return r.responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void apiVersionsAndMetadataAnswerAtEveryVersion() throws IOException {
        for (short v : versions(ApiKeys.API_VERSIONS)) {
            ApiVersionsResponseData r = (ApiVersionsResponseData) wire.call(new ApiVersionsRequestData()
                    .setClientSoftwareName("wire-test").setClientSoftwareVersion("1"), v);
            assertThat(r.errorCode()).as("ApiVersions v%d", v).isZero();
            // Produce from 0, as Kafka 4 advertises it: librdkafka needs it to send compressed batches.
            assertThat(r.apiKeys().find(ApiKeys.PRODUCE.id).minVersion()).as("ApiVersions v%d", v).isZero();
        }
        Uuid id = topicId(TOPIC);
        for (short v : versions(ApiKeys.METADATA)) {
            MetadataResponseData r = metadata(v, TOPIC);
            MetadataResponseData.MetadataResponseTopic t = r.topics().find(TOPIC);
            assertThat(t.errorCode()).as("Metadata v%d", v).isZero();
            assertThat(t.topicId()).as("Metadata v%d", v).isEqualTo(v >= 10 ? id : Uuid.ZERO_UUID);
            if (v >= 12) {
                MetadataRequestData byId = new MetadataRequestData().setTopics(new ArrayList<>(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName("").setTopicId(id),
                        new MetadataRequestData.MetadataRequestTopic().setName(null).setTopicId(Uuid.randomUuid()))));
                List<MetadataResponseData.MetadataResponseTopic> found = new ArrayList<>(((MetadataResponseData) wire.call(byId, v)).topics());
                assertThat(found.get(0).name()).as("Metadata v%d by id", v).isEqualTo(TOPIC);
                assertThat(found.get(0).topicId()).as("Metadata v%d by id", v).isEqualTo(id);
                assertThat(found.get(1).topicId()).as("Metadata v%d by an unknown id", v).isNotEqualTo(Uuid.ZERO_UUID);
                assertThat(found.get(1).errorCode()).as("Metadata v%d by an unknown id", v).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
            }
            assertThat(t.partitions()).as("Metadata v%d", v).hasSize(1);
            assertThat(t.partitions().get(0).leaderId()).as("Metadata v%d", v).isZero();
            assertThat(r.brokers()).as("Metadata v%d", v).hasSize(1);
        }
        for (short v : versions(ApiKeys.DESCRIBE_CLUSTER)) {
            DescribeClusterResponseData r = (DescribeClusterResponseData) wire.call(new DescribeClusterRequestData(), v);
            assertThat(r.errorCode()).as("DescribeCluster v%d", v).isZero();
            assertThat(r.brokers()).as("DescribeCluster v%d", v).hasSize(1);
        }
        for (short v : versions(ApiKeys.FIND_COORDINATOR)) {
            FindCoordinatorRequestData req = new FindCoordinatorRequestData();
            if (v < 4) {
                req.setKey("a-group");
            } else {
                req.setCoordinatorKeys(List.of("a-group"));
            }
            FindCoordinatorResponseData r = (FindCoordinatorResponseData) wire.call(req, v);
            int port = v < 4 ? r.port() : r.coordinators().get(0).port();
            assertThat(port).as("FindCoordinator v%d", v).isEqualTo(endpoint.port());
        }
    }

    @Test
    void produceFetchAndListOffsetsAnswerAtEveryVersion() throws IOException {
        Uuid id = topicId(TOPIC);
        long written = 0;
        for (short v : versions(ApiKeys.PRODUCE)) {
            ProduceResponseData.PartitionProduceResponse p = only((ProduceResponseData) wire.call(
                    produceRequest(TOPIC, id, records("produce v" + v, "second")), v));
            assertThat(p.errorCode()).as("Produce v%d", v).isZero();
            assertThat(p.baseOffset()).as("Produce v%d", v).isEqualTo(written);
            written += 2;
        }
        for (short v : versions(ApiKeys.FETCH)) {
            FetchRequestData req = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
            FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic(TOPIC).setTopicId(id);
            t.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
            req.topics().add(t);
            FetchResponseData r = (FetchResponseData) wire.call(req, v);
            assertThat(v >= 13 ? r.responses().get(0).topicId() : Uuid.ZERO_UUID).as("Fetch v%d", v).isEqualTo(v >= 13 ? id : Uuid.ZERO_UUID);
            FetchResponseData.PartitionData p = r.responses().get(0).partitions().get(0);
            assertThat(p.errorCode()).as("Fetch v%d", v).isZero();
            assertThat(p.highWatermark()).as("Fetch v%d", v).isEqualTo(written);
            int count = 0;
            for (var batch : ((MemoryRecords) p.records()).batches()) {
                for (var ignored : batch) {
                    count++;
                }
            }
            assertThat(count).as("Fetch v%d", v).isEqualTo(written);
        }
        for (short v : versions(ApiKeys.LIST_OFFSETS)) {
            for (long[] query : new long[][] {{ListOffsetsRequest.EARLIEST_TIMESTAMP, 0}, {ListOffsetsRequest.LATEST_TIMESTAMP, written}}) {
                ListOffsetsRequestData.ListOffsetsTopic t = new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC);
                t.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(query[0]));
                ListOffsetsResponseData r = (ListOffsetsResponseData) wire.call(
                        new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(t)), v);
                ListOffsetsResponseData.ListOffsetsPartitionResponse p = r.topics().get(0).partitions().get(0);
                assertThat(p.errorCode()).as("ListOffsets v%d", v).isZero();
                assertThat(p.offset()).as("ListOffsets v%d at %d", v, query[0]).isEqualTo(query[1]);
            }
        }
        long start = 0;
        for (short v : versions(ApiKeys.DELETE_RECORDS)) {
            start++;
            DeleteRecordsRequestData req = new DeleteRecordsRequestData().setTimeoutMs(10_000);
            req.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC).setPartitions(List.of(
                    new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(start))));
            DeleteRecordsResponseData.DeleteRecordsPartitionResult p = ((DeleteRecordsResponseData) wire.call(req, v))
                    .topics().find(TOPIC).partitions().find(0);
            assertThat(p.errorCode()).as("DeleteRecords v%d", v).isZero();
            assertThat(p.lowWatermark()).as("DeleteRecords v%d", v).isEqualTo(start);
        }
    }

    @Test
    void groupApisAnswerAtEveryVersion() throws IOException {
        metadata((short) 12, TOPIC);
        for (short v : versions(ApiKeys.JOIN_GROUP)) {
            String group = "group-v" + v;
            JoinGroupRequestData join = new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(30_000)
                    .setMemberId("").setProtocolType("consumer");
            if (v >= 1) {
                join.setRebalanceTimeoutMs(30_000);
            }
            join.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
            JoinGroupResponseData joined = (JoinGroupResponseData) wire.call(join, v);
            if (joined.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
                joined = (JoinGroupResponseData) wire.call(join.setMemberId(joined.memberId()), v);
            }
            assertThat(joined.errorCode()).as("JoinGroup v%d", v).isZero();
            assertThat(joined.leader()).as("JoinGroup v%d", v).isEqualTo(joined.memberId());
            String member = joined.memberId();

            short syncV = upTo(ApiKeys.SYNC_GROUP, v);
            SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setGenerationId(joined.generationId())
                    .setMemberId(member);
            if (syncV >= 5) {
                sync.setProtocolType("consumer").setProtocolName("range");
            }
            sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member).setAssignment(new byte[] {2}));
            SyncGroupResponseData synced = (SyncGroupResponseData) wire.call(sync, syncV);
            assertThat(synced.errorCode()).as("SyncGroup v%d", syncV).isZero();
            assertThat(synced.assignment()).as("SyncGroup v%d", syncV).containsExactly(2);

            short heartbeatV = upTo(ApiKeys.HEARTBEAT, v);
            HeartbeatResponseData beat = (HeartbeatResponseData) wire.call(new HeartbeatRequestData().setGroupId(group)
                    .setGenerationId(joined.generationId()).setMemberId(member), heartbeatV);
            assertThat(beat.errorCode()).as("Heartbeat v%d", heartbeatV).isZero();

            short describeV = upTo(ApiKeys.DESCRIBE_GROUPS, v);
            DescribeGroupsResponseData described = (DescribeGroupsResponseData) wire.call(
                    new DescribeGroupsRequestData().setGroups(List.of(group)), describeV);
            assertThat(described.groups().get(0).errorCode()).as("DescribeGroups v%d", describeV).isZero();
            assertThat(described.groups().get(0).groupState()).as("DescribeGroups v%d", describeV).isEqualTo("Stable");
            assertThat(described.groups().get(0).members()).as("DescribeGroups v%d", describeV).hasSize(1);

            short listV = upTo(ApiKeys.LIST_GROUPS, v);
            ListGroupsResponseData listed = (ListGroupsResponseData) wire.call(new ListGroupsRequestData(), listV);
            assertThat(listed.errorCode()).as("ListGroups v%d", listV).isZero();
            assertThat(listed.groups()).as("ListGroups v%d", listV).anyMatch(g -> g.groupId().equals(group));

            short leaveV = upTo(ApiKeys.LEAVE_GROUP, v);
            LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
            if (leaveV < 3) {
                leave.setMemberId(member);
            } else {
                leave.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(member));
            }
            LeaveGroupResponseData left = (LeaveGroupResponseData) wire.call(leave, leaveV);
            assertThat(left.errorCode()).as("LeaveGroup v%d", leaveV).isZero();
        }
        for (short v : versions(ApiKeys.DELETE_GROUPS)) {
            DeleteGroupsResponseData r = (DeleteGroupsResponseData) wire.call(
                    new DeleteGroupsRequestData().setGroupsNames(List.of("group-v" + v)), v);
            assertThat(r.results().find("group-v" + v).errorCode()).as("DeleteGroups v%d", v).isZero();
        }
    }

    @Test
    void offsetApisAnswerAtEveryVersion() throws IOException {
        Uuid id = topicId(TOPIC);
        for (short v : versions(ApiKeys.OFFSET_COMMIT)) {
            OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId("offsets").setGenerationIdOrMemberEpoch(-1)
                    .setMemberId("");
            OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC)
                    .setTopicId(id);
            t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                    .setCommittedOffset(v).setCommittedMetadata("v" + v));
            commit.topics().add(t);
            OffsetCommitResponseData r = (OffsetCommitResponseData) wire.call(commit, v);
            assertThat(r.topics().get(0).partitions().get(0).errorCode()).as("OffsetCommit v%d", v).isZero();
        }
        long last = versions(ApiKeys.OFFSET_COMMIT).getLast();
        for (short v : versions(ApiKeys.OFFSET_FETCH)) {
            OffsetFetchRequestData fetch = new OffsetFetchRequestData();
            long committed;
            if (v < 8) {
                fetch.setGroupId("offsets").setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                        .setName(TOPIC).setPartitionIndexes(List.of(0))));
                OffsetFetchResponseData r = (OffsetFetchResponseData) wire.call(fetch, v);
                assertThat(r.errorCode()).as("OffsetFetch v%d", v).isZero();
                committed = r.topics().get(0).partitions().get(0).committedOffset();
            } else {
                fetch.setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("offsets")
                        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                .setName(TOPIC).setTopicId(id).setPartitionIndexes(List.of(0))))));
                OffsetFetchResponseData r = (OffsetFetchResponseData) wire.call(fetch, v);
                assertThat(r.groups().get(0).errorCode()).as("OffsetFetch v%d", v).isZero();
                committed = r.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
            }
            assertThat(committed).as("OffsetFetch v%d", v).isEqualTo(last);
        }
    }

    @Test
    void topicAndConfigApisAnswerAtEveryVersion() throws IOException {
        for (short v : versions(ApiKeys.CREATE_TOPICS)) {
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(10_000);
            req.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("created-v" + v).setNumPartitions(2)
                    .setReplicationFactor((short) 1));
            CreateTopicsResponseData r = (CreateTopicsResponseData) wire.call(req, v);
            assertThat(r.topics().find("created-v" + v).errorCode()).as("CreateTopics v%d", v).isZero();
            if (v >= 7) {
                assertThat(r.topics().find("created-v" + v).topicId()).as("CreateTopics v%d", v).isEqualTo(topicId("created-v" + v));
            }
        }
        short firstCreate = versions(ApiKeys.CREATE_TOPICS).getFirst();
        for (short v : versions(ApiKeys.CREATE_PARTITIONS)) {
            CreatePartitionsRequestData req = new CreatePartitionsRequestData().setTimeoutMs(10_000);
            req.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("created-v" + firstCreate)
                    .setCount(3 + v).setAssignments(null));
            CreatePartitionsResponseData r = (CreatePartitionsResponseData) wire.call(req, v);
            assertThat(r.results().get(0).errorCode()).as("CreatePartitions v%d", v).isZero();
        }
        for (short v : versions(ApiKeys.DESCRIBE_CONFIGS)) {
            DescribeConfigsResponseData r = (DescribeConfigsResponseData) wire.call(new DescribeConfigsRequestData()
                    .setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("created-v" + firstCreate)
                            .setConfigurationKeys(null))), v);
            assertThat(r.results().get(0).errorCode()).as("DescribeConfigs v%d", v).isZero();
            assertThat(r.results().get(0).configs()).as("DescribeConfigs v%d", v).anyMatch(c -> c.name().equals("retention.ms"));
        }
        for (short v : versions(ApiKeys.ALTER_CONFIGS)) {
            AlterConfigsRequestData req = new AlterConfigsRequestData();
            AlterConfigsRequestData.AlterConfigsResource res = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("created-v" + firstCreate);
            res.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue(String.valueOf(60_000 + v)));
            req.resources().add(res);
            AlterConfigsResponseData r = (AlterConfigsResponseData) wire.call(req, v);
            assertThat(r.responses().get(0).errorCode()).as("AlterConfigs v%d", v).isZero();
        }
        for (short v : versions(ApiKeys.INCREMENTAL_ALTER_CONFIGS)) {
            IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
            IncrementalAlterConfigsRequestData.AlterConfigsResource res = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("created-v" + firstCreate);
            res.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.bytes")
                    .setConfigOperation((byte) 0).setValue(String.valueOf(1_000_000 + v)));
            req.resources().add(res);
            IncrementalAlterConfigsResponseData r = (IncrementalAlterConfigsResponseData) wire.call(req, v);
            assertThat(r.responses().get(0).errorCode()).as("IncrementalAlterConfigs v%d", v).isZero();
        }
        List<Short> createVersions = versions(ApiKeys.CREATE_TOPICS);
        List<Short> deleteVersions = versions(ApiKeys.DELETE_TOPICS);
        for (int i = 0; i < deleteVersions.size(); i++) {
            short v = deleteVersions.get(i);
            String name = "created-v" + createVersions.get(Math.min(i, createVersions.size() - 1));
            DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(10_000);
            if (v < 6) {
                req.setTopicNames(List.of(name));
            } else {
                req.setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(topicId(name))));
            }
            DeleteTopicsResponseData r = (DeleteTopicsResponseData) wire.call(req, v);
            assertThat(r.responses().find(name).errorCode()).as("DeleteTopics v%d of %s", v, name).isIn((short) 0,
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(metadata((short) 0, TOPIC).topics().find(name)).as("after DeleteTopics v%d", v).isNull();
        }
    }

    @Test
    void transactionApisAnswerAtEveryVersion() throws IOException {
        metadata((short) 12, TOPIC);
        for (short v : versions(ApiKeys.INIT_PRODUCER_ID)) {
            String txn = "txn-v" + v;
            InitProducerIdResponseData init = (InitProducerIdResponseData) wire.call(new InitProducerIdRequestData()
                    .setTransactionalId(txn).setTransactionTimeoutMs(60_000), v);
            assertThat(init.errorCode()).as("InitProducerId v%d", v).isZero();
            long pid = init.producerId();
            short epoch = init.producerEpoch();

            short addV = upTo(ApiKeys.ADD_PARTITIONS_TO_TXN, v);
            AddPartitionsToTxnRequestData add = new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(txn)
                    .setV3AndBelowProducerId(pid).setV3AndBelowProducerEpoch(epoch);
            add.v3AndBelowTopics().add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(TOPIC).setPartitions(List.of(0)));
            AddPartitionsToTxnResponseData added = (AddPartitionsToTxnResponseData) wire.call(add, addV);
            assertThat(added.resultsByTopicV3AndBelow().find(TOPIC).resultsByPartition().find(0).partitionErrorCode())
                    .as("AddPartitionsToTxn v%d", addV).isZero();

            MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, 0,
                    new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), txn.getBytes(StandardCharsets.UTF_8)));
            ProduceRequestData produce = produceRequest(TOPIC, Uuid.ZERO_UUID, batch).setTransactionalId(txn);
            assertThat(only((ProduceResponseData) wire.call(produce, (short) 11)).errorCode()).as("transactional produce").isZero();

            short addOffsetsV = upTo(ApiKeys.ADD_OFFSETS_TO_TXN, v);
            AddOffsetsToTxnResponseData addedOffsets = (AddOffsetsToTxnResponseData) wire.call(new AddOffsetsToTxnRequestData()
                    .setTransactionalId(txn).setProducerId(pid).setProducerEpoch(epoch).setGroupId("txn-group"), addOffsetsV);
            assertThat(addedOffsets.errorCode()).as("AddOffsetsToTxn v%d", addOffsetsV).isZero();

            short commitV = upTo(ApiKeys.TXN_OFFSET_COMMIT, v);
            TxnOffsetCommitRequestData commit = new TxnOffsetCommitRequestData().setTransactionalId(txn).setGroupId("txn-group")
                    .setProducerId(pid).setProducerEpoch(epoch);
            TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(TOPIC);
            t.partitions().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(v));
            commit.topics().add(t);
            TxnOffsetCommitResponseData committed = (TxnOffsetCommitResponseData) wire.call(commit, commitV);
            assertThat(committed.topics().get(0).partitions().get(0).errorCode()).as("TxnOffsetCommit v%d", commitV).isZero();

            short endV = upTo(ApiKeys.END_TXN, v);
            EndTxnResponseData ended = (EndTxnResponseData) wire.call(new EndTxnRequestData().setTransactionalId(txn)
                    .setProducerId(pid).setProducerEpoch(epoch).setCommitted(v % 2 == 0), endV);
            assertThat(ended.errorCode()).as("EndTxn v%d", endV).isZero();
        }
        for (short v : versions(ApiKeys.DESCRIBE_TRANSACTIONS)) {
            DescribeTransactionsResponseData r = (DescribeTransactionsResponseData) wire.call(
                    new DescribeTransactionsRequestData().setTransactionalIds(List.of("txn-v0")), v);
            assertThat(r.transactionStates().get(0).errorCode()).as("DescribeTransactions v%d", v).isZero();
            assertThat(r.transactionStates().get(0).transactionState()).as("DescribeTransactions v%d", v).isEqualTo("CompleteCommit");
        }
        for (short v : versions(ApiKeys.LIST_TRANSACTIONS)) {
            ListTransactionsResponseData r = (ListTransactionsResponseData) wire.call(new ListTransactionsRequestData(), v);
            assertThat(r.errorCode()).as("ListTransactions v%d", v).isZero();
            assertThat(r.transactionStates()).as("ListTransactions v%d", v).hasSize(versions(ApiKeys.INIT_PRODUCER_ID).size());
        }
    }
}
