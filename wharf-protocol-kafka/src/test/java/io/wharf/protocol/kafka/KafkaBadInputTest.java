package io.wharf.protocol.kafka;

import io.wharf.protocol.common.EventLoops;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.Broker;
import io.wharf.core.BrokerSettings;
import io.wharf.storage.Storage;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.wharf.protocol.common.FuzzLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests no well-behaved client sends, over a real socket: they get Kafka's error codes or a
 * closed connection, and the broker goes on serving. A fuzz loop sends mutated and random requests.
 */
class KafkaBadInputTest {

    @TempDir
    Path dir;

    private Broker broker;
    private final EventLoops loops = EventLoops.start();
    private KafkaEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)));
        KafkaSettings s = KafkaSettings.defaults().withHost("127.0.0.1").withPort(0);
        endpoint = KafkaEndpoint.start(broker, new KafkaSettings(s.host(), 0, "", 0, false, 1, 1 << 20, "/", "guest"), loops);
    }

    @AfterEach
    void stop() throws IOException {
        endpoint.close();
        loops.close();
        broker.close();
    }

    private KafkaWire connect() throws IOException {
        return new KafkaWire(endpoint.port());
    }

    private void assertStillServing() throws IOException {
        try (KafkaWire w = connect()) {
            ApiVersionsResponseData r = (ApiVersionsResponseData) w.call(new ApiVersionsRequestData(), (short) 3);
            assertThat(r.errorCode()).isZero();
            assertThat(r.apiKeys().find(ApiKeys.PRODUCE.id)).isNotNull();
        }
    }

    @Test
    void shouldAnswerAnUnsupportedApiVersionsVersionWithTheSupportedList() throws IOException {
        try (KafkaWire w = connect()) {
            // A client newer than the broker: ApiVersions at a version the broker has never heard of.
            byte[] future = w.encode(new ApiVersionsRequestData(), (short) 3);
            ByteBuffer.wrap(future).putShort(2, (short) 99).putInt(4, 7);
            w.send(future);
            ByteBuffer response = w.receive();
            assertThat(response.getInt()).as("correlation id").isEqualTo(7);
            ApiVersionsResponse r = ApiVersionsResponse.parse(new ByteBufferAccessor(response), (short) 0);
            assertThat(r.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(r.data().apiKeys().find(ApiKeys.FETCH.id).maxVersion()).isEqualTo(ApiKeys.FETCH.latestVersion());
        }
    }

    @Test
    void shouldCloseTheConnectionOnAnUnsupportedVersionOfAnotherApi() throws IOException {
        try (KafkaWire w = connect()) {
            w.call(new MetadataRequestData(), (short) 12);
            byte[] bad = w.encode(new MetadataRequestData(), (short) 12);
            bad[3] = 99;
            w.send(bad);
            assertThat(w.closedByBroker()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerAnApiItDoesNotServeWithUnsupportedVersion() throws IOException {
        try (KafkaWire w = connect()) {
            DescribeLogDirsResponseData dirs = (DescribeLogDirsResponseData) w.call(new DescribeLogDirsRequestData().setTopics(null), (short) 4);
            assertThat(dirs.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());

            SaslHandshakeResponseData sasl = (SaslHandshakeResponseData) w.call(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
            assertThat(sasl.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());

            // The connection goes on.
            assertThat(((ApiVersionsResponseData) w.call(new ApiVersionsRequestData(), (short) 3)).errorCode()).isZero();
        }
    }

    @Test
    void shouldRefuseABatchWithABadCrcAsCorrupt() throws IOException {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes()));
        ByteBuffer corrupted = records.buffer().duplicate();
        int last = corrupted.limit() - 1;
        corrupted.put(last, (byte) (corrupted.get(last) ^ 0x5a));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("crc");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.readableRecords(corrupted)));
        data.topicData().add(topic);
        try (KafkaWire w = connect()) {
            w.call(new CreateTopicsRequestData().setTopics(
                    new CreateTopicsRequestData.CreatableTopicCollection(List.of(new CreateTopicsRequestData.CreatableTopic()
                            .setName("crc").setNumPartitions(1).setReplicationFactor((short) 1)).iterator())), (short) 7);
            ProduceResponseData r = (ProduceResponseData) w.call(data, (short) 12);
            assertThat(r.responses().iterator().next().partitionResponses().get(0).errorCode())
                    .isEqualTo(Errors.CORRUPT_MESSAGE.code());
        }
    }

    @Test
    void shouldReportAnUnknownTopicWhenAutoCreationIsOff() throws IOException {
        try (KafkaWire w = connect()) {
            MetadataResponseData r = (MetadataResponseData) w.call(new MetadataRequest.Builder(List.of("nowhere"), true)
                    .build((short) 12).data(), (short) 12);
            assertThat(r.topics().find("nowhere").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }

    @Test
    void shouldCloseTheConnectionOnAnOversizedRequest() throws IOException {
        try (KafkaWire w = connect()) {
            DataOutputStream out = new DataOutputStream(w.socket().getOutputStream());
            out.writeInt(200 << 20);
            out.write(new byte[64]);
            out.flush();
            assertThat(w.closedByBroker()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void shouldSurviveRandomAndMutatedRequests() throws IOException {
        FuzzLoop fuzz = new FuzzLoop(Long.getLong("wharf.kafka.fuzz.seed", System.nanoTime()));
        List<byte[]> valid = validRequests();
        int iterations = Integer.getInteger("wharf.kafka.fuzz.iterations", 1000);
        KafkaWire w = connect();
        w.socket().setSoTimeout(5);
        try {
            for (int i = 0; i < iterations; i++) {
                byte[] frame = fuzz.frame(valid, 5, 63);
                try {
                    w.send(frame);
                    drain(w.socket());
                } catch (IOException closedByBroker) {
                    w.close();
                    w = connect();
                    w.socket().setSoTimeout(5);
                }
            }
        } finally {
            w.close();
        }
        assertStillServing();
        assertThat(broker.vhost("/").orElseThrow().streams()).as("seed %d", fuzz.seed()).allMatch(st -> st.partitionCount() >= 1);
    }

    private static void drain(Socket s) throws IOException {
        try {
            while (s.getInputStream().read(new byte[4096]) > 0) {
                // responses are not checked here: only that the broker answers or closes
            }
            throw new EOFException("closed by the broker");
        } catch (SocketTimeoutException nothingMore) {
            // the connection is still open
        }
    }

    private static List<byte[]> validRequests() {
        List<byte[]> out = new ArrayList<>();
        out.add(KafkaWire.encode(new ApiVersionsRequestData(), (short) 3, 1));
        out.add(KafkaWire.encode(new MetadataRequest.Builder(List.of("fuzz"), true).build((short) 12).data(), (short) 12, 2));
        ProduceRequestData pd = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName("fuzz");
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("key".getBytes(), "value".getBytes()))));
        pd.topicData().add(t);
        out.add(KafkaWire.encode(pd, (short) 9, 3));
        FetchRequestData fd = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
        FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopic("fuzz");
        ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        fd.topics().add(ft);
        out.add(KafkaWire.encode(fd, (short) 12, 4));
        ListOffsetsRequestData.ListOffsetsTopic lt = new ListOffsetsRequestData.ListOffsetsTopic().setName("fuzz");
        lt.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-2));
        out.add(KafkaWire.encode(ListOffsetsRequest.Builder.forConsumer(false, org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(lt)).build((short) 7).data(), (short) 7, 5));
        JoinGroupRequestData jd = new JoinGroupRequestData().setGroupId("fuzzers").setMemberId("").setProtocolType("consumer")
                .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(1000);
        jd.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[8]));
        out.add(KafkaWire.encode(jd, (short) 5, 6));
        out.add(KafkaWire.encode(new CreateTopicsRequestData().setTopics(
                new CreateTopicsRequestData.CreatableTopicCollection(List.of(new CreateTopicsRequestData.CreatableTopic()
                        .setName("fuzz-created").setNumPartitions(2).setReplicationFactor((short) 1)).iterator())), (short) 7, 7));
        return out;
    }
}
