package io.wharf.protocol.kafka;

import io.wharf.core.auth.Client;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamConfigs;
import io.wharf.core.vhost.VirtualHost;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics: a topic's settings are its
 * stream's ({@link StreamConfigs}). The broker resource is described with no settings and cannot
 * be altered: Wharf's own configuration is its file, read at start.
 */
final class TopicConfigApis {

    private static final byte TOPIC = ConfigResource.Type.TOPIC.id();
    private static final byte BROKER = ConfigResource.Type.BROKER.id();

    private final VirtualHost vhost;

    TopicConfigApis(VirtualHost vhost) {
        this.vhost = vhost;
    }

    DescribeConfigsResponse describe(DescribeConfigsRequest r) {
        DescribeConfigsResponseData out = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource res : r.data().resources()) {
            DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                    .setResourceType(res.resourceType()).setResourceName(res.resourceName());
            if (res.resourceType() == TOPIC) {
                Stream s = vhost.stream(res.resourceName());
                if (s == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("no topic '" + res.resourceName() + "'");
                } else {
                    for (String key : StreamConfigs.SUPPORTED.stream().sorted().toList()) {
                        if (res.configurationKeys() != null && !res.configurationKeys().contains(key)) {
                            continue;
                        }
                        boolean own = s.definition().configs().containsKey(key);
                        result.configs().add(new DescribeConfigsResponseData.DescribeConfigsResourceResult().setName(key)
                                .setValue(s.effectiveConfig(key)).setReadOnly(false).setIsSensitive(false)
                                .setConfigSource(own ? DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id()
                                        : DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id())
                                .setConfigType(configType(key).id()));
                    }
                }
            } else if (res.resourceType() != BROKER) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only topic and broker configurations exist here");
            }
            out.results().add(result);
        }
        return new DescribeConfigsResponse(out);
    }

    /** A list setting's value with {@code items} (comma-separated) appended, or removed. */
    private static String changedList(String current, String items, boolean append) {
        Set<String> values = StreamConfigs.items(current);
        if (append) {
            values.addAll(StreamConfigs.items(items));
        } else {
            values.removeAll(StreamConfigs.items(items));
        }
        return String.join(",", values);
    }

    private static DescribeConfigsResponse.ConfigType configType(String key) {
        if (StreamConfigs.NUMERIC.contains(key)) {
            return DescribeConfigsResponse.ConfigType.LONG;
        }
        return key.equals(StreamConfigs.CLEANUP_POLICY) ? DescribeConfigsResponse.ConfigType.LIST : DescribeConfigsResponse.ConfigType.STRING;
    }

    /** AlterConfigs replaces a topic's whole set of settings. */
    CompletableFuture<AlterConfigsResponse> alter(AlterConfigsRequest r, Client client) {
        List<CompletableFuture<AlterConfigsResponseData.AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsRequestData.AlterConfigsResource res : r.data().resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse result = new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(res.resourceType()).setResourceName(res.resourceName());
            Map<String, String> configs = new LinkedHashMap<>();
            res.configs().forEach(c -> configs.put(c.name(), c.value()));
            results.add(apply(res.resourceType(), res.resourceName(), configs, r.data().validateOnly(), client)
                    .thenApply(e -> result.setErrorCode(e.error().code()).setErrorMessage(e.message())));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            AlterConfigsResponseData out = new AlterConfigsResponseData();
            results.forEach(f -> out.responses().add(f.join()));
            return new AlterConfigsResponse(out);
        });
    }

    /** IncrementalAlterConfigs sets or removes single settings, leaving the others. */
    CompletableFuture<IncrementalAlterConfigsResponse> alterIncrementally(IncrementalAlterConfigsRequest r, Client client) {
        List<CompletableFuture<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource res : r.data().resources()) {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result =
                    new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(res.resourceType()).setResourceName(res.resourceName());
            Stream s = res.resourceType() == TOPIC ? vhost.stream(res.resourceName()) : null;
            Map<String, String> configs = new LinkedHashMap<>(s == null ? Map.of() : s.definition().configs());
            Outcome bad = null;
            for (IncrementalAlterConfigsRequestData.AlterableConfig c : res.configs()) {
                AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
                if (op == AlterConfigOp.OpType.SET) {
                    configs.put(c.name(), c.value());
                } else if (op == AlterConfigOp.OpType.DELETE) {
                    configs.remove(c.name());
                } else if (c.name().equals(StreamConfigs.CLEANUP_POLICY)) {
                    // From the value this request has made so far, so a SET before an APPEND counts.
                    String current = configs.getOrDefault(c.name(), StreamConfigs.defaultValue(c.name()));
                    configs.put(c.name(), changedList(current, c.value(), op == AlterConfigOp.OpType.APPEND));
                } else {
                    bad = new Outcome(Errors.INVALID_CONFIG, c.name() + " is not a list: only SET and DELETE apply");
                }
            }
            CompletableFuture<Outcome> outcome = bad != null ? CompletableFuture.completedFuture(bad)
                    : apply(res.resourceType(), res.resourceName(), configs, r.data().validateOnly(), client);
            results.add(outcome.thenApply(e -> result.setErrorCode(e.error().code()).setErrorMessage(e.message())));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            IncrementalAlterConfigsResponseData out = new IncrementalAlterConfigsResponseData();
            results.forEach(f -> out.responses().add(f.join()));
            return new IncrementalAlterConfigsResponse(out);
        });
    }

    private record Outcome(Errors error, String message) {
        static final Outcome OK = new Outcome(Errors.NONE, null);
    }

    private CompletableFuture<Outcome> apply(byte type, String name, Map<String, String> configs, boolean validateOnly,
                                             Client client) {
        if (type != TOPIC) {
            return CompletableFuture.completedFuture(new Outcome(Errors.INVALID_REQUEST,
                    "only topic configurations can be changed; the broker's are in its configuration file"));
        }
        if (vhost.stream(name) == null) {
            return CompletableFuture.completedFuture(new Outcome(Errors.UNKNOWN_TOPIC_OR_PARTITION, "no topic '" + name + "'"));
        }
        for (Map.Entry<String, String> c : configs.entrySet()) {
            String problem = StreamConfigs.problem(c.getKey(), c.getValue());
            if (problem != null) {
                return CompletableFuture.completedFuture(new Outcome(Errors.INVALID_CONFIG, problem));
            }
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(Outcome.OK);
        }
        return vhost.streamAdmin().reconfigure(name, configs, client).handle((v, e) -> e == null ? Outcome.OK
                : new Outcome(KafkaErrors.of(e), KafkaErrors.unwrap(e).getMessage()));
    }
}
