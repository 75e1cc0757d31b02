package io.wharf.server;

import io.wharf.core.Broker;
import io.wharf.core.auth.Client;
import io.wharf.core.stream.Stream;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.vhost.VirtualHost;
import io.wharf.server.config.WharfConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes the broker's streams match the ones the configuration declares, at start: a declared
 * stream is created if it is missing, grown to its partition count and given the settings its
 * entry names; one marked {@code delete} is deleted if it exists. Streams the configuration does
 * not mention are left alone, and partitions are never removed.
 */
final class DeclaredStreams {

    private static final Logger LOG = LoggerFactory.getLogger(DeclaredStreams.class);
    private static final long TIMEOUT_SECONDS = 60;

    private DeclaredStreams() {
    }

    /**
     * On a cluster's node: makes the streams match in the background once the cluster agrees
     * ({@link UntilAgreed}). Returns what stops trying (when the server closes).
     */
    static AutoCloseable applyWhenAgreed(Broker broker, List<WharfConfig.StreamConfig> streams) {
        if (streams.isEmpty()) {
            return () -> { };
        }
        return UntilAgreed.start("declared-streams", "setting up the declared streams", () -> apply(broker, streams));
    }

    /** @throws IOException naming the stream that could not be made to match */
    static void apply(Broker broker, List<WharfConfig.StreamConfig> streams) throws IOException {
        for (WharfConfig.StreamConfig declared : streams) {
            VirtualHost vhost = broker.vhost(declared.vhost()).orElseThrow(() ->
                    new IOException("declared stream '" + declared.name() + "' names vhost '" + declared.vhost() + "', which does not exist"));
            Client client = Client.broker(vhost.name(), "configuration");
            try {
                apply(vhost, declared, client).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new IOException("declared stream '" + declared.name() + "' in vhost '" + declared.vhost()
                        + "' could not be set up: " + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while setting up declared stream '" + declared.name() + "'", e);
            }
        }
    }

    private static CompletableFuture<?> apply(VirtualHost vhost, WharfConfig.StreamConfig declared, Client client) {
        Stream existing = vhost.stream(declared.name());
        if (declared.delete()) {
            if (existing == null) {
                return CompletableFuture.completedFuture(null);
            }
            LOG.info("vhost {}: deleting stream '{}', as the configuration says", vhost.name(), declared.name());
            return vhost.streamAdmin().delete(declared.name(), client);
        }
        if (existing == null) {
            LOG.info("vhost {}: creating stream '{}' with {} partition(s), as the configuration declares",
                    vhost.name(), declared.name(), declared.partitions());
            return vhost.streamAdmin().create(new StreamDefinition(declared.name(), declared.partitions(), declared.configs()), client);
        }
        CompletableFuture<?> grown = CompletableFuture.completedFuture(null);
        if (declared.partitions() > existing.partitionCount()) {
            grown = vhost.streamAdmin().addPartitions(declared.name(), declared.partitions(), client);
        } else if (declared.partitions() < existing.partitionCount()) {
            LOG.warn("vhost {}: stream '{}' has {} partitions, more than the {} the configuration declares; partitions are never removed",
                    vhost.name(), declared.name(), existing.partitionCount(), declared.partitions());
        }
        Map<String, String> configs = new HashMap<>(existing.definition().configs());
        configs.putAll(declared.configs());
        if (configs.equals(existing.definition().configs())) {
            return grown;
        }
        return grown.thenCompose(v -> vhost.streamAdmin().reconfigure(declared.name(), configs, client));
    }
}
