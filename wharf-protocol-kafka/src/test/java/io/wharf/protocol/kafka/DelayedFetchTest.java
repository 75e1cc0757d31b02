package io.wharf.protocol.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.Broker;
import io.wharf.core.BrokerSettings;
import io.wharf.protocol.common.EventLoops;
import io.wharf.storage.Storage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Long polls wait as Kafka's DelayedFetch does: a fetch that finds less than its min.bytes is
 * answered once its partitions hold that much, not at the first record that arrives.
 */
class DelayedFetchTest {

    private static final String TOPIC = "delayed";
    private static final int RECORD_BYTES = 500;

    @TempDir
    Path dir;

    private Broker broker;
    private final EventLoops loops = EventLoops.start();
    private KafkaEndpoint endpoint;
    private KafkaWire fetcher;
    private KafkaWire producer;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)));
        endpoint = KafkaEndpoint.start(broker, KafkaSettings.defaults().withHost("127.0.0.1").withPort(0), loops);
        fetcher = new KafkaWire(endpoint.port());
        producer = new KafkaWire(endpoint.port());
    }

    @AfterEach
    void stop() throws IOException {
        fetcher.close();
        producer.close();
        endpoint.close();
        loops.close();
        broker.close();
    }

    /** Fetch 12 names topics, 13 and later give their ids: the fetch finds its partitions either way. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldHoldALongPollUntilItsPartitionsHoldMinBytes(boolean byId) throws IOException {
        Uuid id = topicId();
        short version = byId ? newest(ApiKeys.FETCH) : 12;
        int minBytes = 8 * RECORD_BYTES;
        FetchRequestData req = new FetchRequestData().setMaxWaitMs(60_000).setMinBytes(minBytes).setMaxBytes(1 << 20);
        FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic(byId ? "" : TOPIC).setTopicId(byId ? id : Uuid.ZERO_UUID);
        t.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        req.topics().add(t);
        fetcher.send(fetcher.encode(req, version));

        // One record at a time, each acknowledged before the next: the waiting fetch is woken by
        // every one, and must go back to waiting until enough bytes are there.
        int produced = 12;
        for (int i = 0; i < produced; i++) {
            ProduceResponseData r = produce(id, i);
            assertThat(r.responses().iterator().next().partitionResponses().get(0).errorCode()).isZero();
        }

        RequestHeader h = new RequestHeader(ApiKeys.FETCH, version, "wire-test", 1);
        FetchResponseData answer = (FetchResponseData) AbstractResponse.parseResponse(fetcher.receive(), h).data();
        FetchResponseData.PartitionData p = answer.responses().get(0).partitions().get(0);
        assertThat(p.errorCode()).isZero();
        assertThat(p.records().sizeInBytes()).isGreaterThanOrEqualTo(minBytes);
        int count = 0;
        for (var batch : ((MemoryRecords) p.records()).batches()) {
            for (var ignored : batch) {
                count++;
            }
        }
        assertThat(count).isGreaterThanOrEqualTo(minBytes / RECORD_BYTES).isLessThanOrEqualTo(produced);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 50})
    void shouldAnswerAFetchWithNothingToReadOnceMaxWaitIsUp(int maxWaitMs) throws IOException {
        Uuid id = topicId();
        FetchRequestData req = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(1 << 20);
        FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopicId(id);
        t.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        req.topics().add(t);
        FetchResponseData answer = (FetchResponseData) fetcher.call(req, newest(ApiKeys.FETCH));
        FetchResponseData.PartitionData p = answer.responses().get(0).partitions().get(0);
        assertThat(p.errorCode()).isZero();
        assertThat(p.highWatermark()).isZero();
        assertThat(p.records().sizeInBytes()).isZero();
    }

    private ProduceResponseData produce(Uuid id, int i) throws IOException {
        byte[] value = ("record " + i + " ").repeat(RECORD_BYTES / 8).substring(0, RECORD_BYTES).getBytes(StandardCharsets.UTF_8);
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(null, value));
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(TOPIC).setTopicId(id);
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        req.topicData().add(t);
        return (ProduceResponseData) producer.call(req, newest(ApiKeys.PRODUCE));
    }

    private Uuid topicId() throws IOException {
        MetadataRequestData req = new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(new ArrayList<>(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(TOPIC))));
        MetadataResponseData r = (MetadataResponseData) producer.call(req, (short) 12);
        return r.topics().find(TOPIC).topicId();
    }

    private static short newest(ApiKeys api) {
        short v = api.latestVersion();
        while (!KafkaApis.supports(api, v)) {
            v--;
        }
        return v;
    }
}
