package io.wharf.protocol.kafka;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;

import java.util.EnumMap;
import java.util.Map;

/** The Kafka APIs Wharf answers and the versions of each. */
final class KafkaApis {

    private static final Map<ApiKeys, short[]> SUPPORTED = new EnumMap<>(ApiKeys.class);

    static {
        support(ApiKeys.PRODUCE, -1);
        support(ApiKeys.FETCH, -1);
        support(ApiKeys.LIST_OFFSETS, -1);
        support(ApiKeys.METADATA, -1);
        support(ApiKeys.FIND_COORDINATOR, -1);
        support(ApiKeys.API_VERSIONS, -1);
        support(ApiKeys.CREATE_TOPICS, -1);
        support(ApiKeys.DELETE_TOPICS, -1);
        support(ApiKeys.CREATE_PARTITIONS, -1);
        support(ApiKeys.DELETE_RECORDS, -1);
        support(ApiKeys.INIT_PRODUCER_ID, -1);
        support(ApiKeys.DESCRIBE_CLUSTER, -1);
        support(ApiKeys.JOIN_GROUP, -1);
        support(ApiKeys.SYNC_GROUP, -1);
        support(ApiKeys.HEARTBEAT, -1);
        support(ApiKeys.LEAVE_GROUP, -1);
        support(ApiKeys.OFFSET_COMMIT, -1);
        support(ApiKeys.OFFSET_FETCH, -1);
        support(ApiKeys.DESCRIBE_GROUPS, -1);
        support(ApiKeys.LIST_GROUPS, -1);
        support(ApiKeys.DELETE_GROUPS, -1);
        support(ApiKeys.DESCRIBE_CONFIGS, -1);
        support(ApiKeys.ALTER_CONFIGS, -1);
        support(ApiKeys.INCREMENTAL_ALTER_CONFIGS, -1);
        // From version 4 on, transactions add partitions only broker to broker; clients send up to 3.
        support(ApiKeys.ADD_PARTITIONS_TO_TXN, 3);
        support(ApiKeys.ADD_OFFSETS_TO_TXN, -1);
        support(ApiKeys.TXN_OFFSET_COMMIT, -1);
        support(ApiKeys.END_TXN, -1);
        support(ApiKeys.DESCRIBE_TRANSACTIONS, -1);
        support(ApiKeys.LIST_TRANSACTIONS, -1);
    }

    private KafkaApis() {
    }

    /** Supports {@code api} from its oldest version up to {@code max}, or its latest if {@code max} is -1. */
    private static void support(ApiKeys api, int max) {
        SUPPORTED.put(api, new short[] {api.oldestVersion(), max < 0 ? api.latestVersion() : (short) max});
    }

    static boolean supports(ApiKeys api, short version) {
        short[] range = SUPPORTED.get(api);
        return range != null && version >= range[0] && version <= range[1];
    }

    /**
     * Produce is advertised from version 0, as Kafka 4 does, though versions below 3 are still
     * refused: librdkafka-based clients decide from that range whether the broker takes compressed
     * batches, and without it fail every compressed produce.
     */
    private static short advertisedMin(ApiKeys api, short min) {
        return api == ApiKeys.PRODUCE ? ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION : min;
    }

    static ApiVersionsResponse apiVersions(Errors error) {
        ApiVersionCollection keys = new ApiVersionCollection();
        SUPPORTED.forEach((api, range) -> keys.add(new ApiVersion().setApiKey(api.id)
                .setMinVersion(advertisedMin(api, range[0])).setMaxVersion(range[1])));
        return new ApiVersionsResponse(new ApiVersionsResponseData().setErrorCode(error.code()).setApiKeys(keys));
    }
}
