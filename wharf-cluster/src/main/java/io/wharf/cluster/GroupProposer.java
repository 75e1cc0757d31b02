package io.wharf.cluster;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends commands to one Raft group's leader, wherever it is, following it through failovers
 * until a deadline.
 *
 * <p>Thread-safe: commands may be sent from any thread; replies complete on Ratis' threads.
 */
final class GroupProposer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupProposer.class);

    // A command is retried on the leader the client finds (after a failover, or while members are
    // starting) until DEADLINE; then it fails as not acknowledged. Attempts are bounded too: one
    // refused at once (a member down) takes only RETRY_SLEEP, so they must be many to cover an election.
    static final TimeDuration REQUEST_TIMEOUT = TimeDuration.valueOf(2, TimeUnit.SECONDS);
    private static final TimeDuration RETRY_SLEEP = TimeDuration.valueOf(250, TimeUnit.MILLISECONDS);
    private static final int ATTEMPTS = 60;
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private final RaftGroup group;
    // Replaced after a command fails: Ratis' ordered client refuses every later request once one
    // has failed for good.
    private final AtomicReference<RaftClient> client;
    private volatile boolean closing;

    GroupProposer(RaftGroup group) {
        this.group = group;
        this.client = new AtomicReference<>(newClient(group));
    }

    static RaftClient newClient(RaftGroup group) {
        return RaftClient.newBuilder()
                .setRaftGroup(group)
                .setProperties(clientProperties())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(ATTEMPTS, RETRY_SLEEP))
                .build();
    }

    static RaftProperties clientProperties() {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, REQUEST_TIMEOUT);
        return properties;
    }

    /** Sends {@code command}; the reply comes once the leader has committed and applied it, or the future fails by the deadline. */
    CompletableFuture<RaftClientReply> send(byte[] command) {
        RaftClient proposer = client.get();
        // A copy: the deadline must not complete the client's own future, which it completes itself.
        return proposer.async().send(Message.valueOf(ByteString.copyFrom(command))).copy()
                .orTimeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((reply, e) -> {
                    if (e != null) {
                        renew(proposer);
                    }
                });
    }

    /** A member the client last found leading; null if it found none yet. */
    String leaderGuess() {
        var leader = client.get().getLeaderId();
        return leader == null ? null : leader.toString();
    }

    /** Replaces a client that failed a command, unless another failure replaced it already or this is closing. */
    private void renew(RaftClient failed) {
        if (closing) {
            return;
        }
        RaftClient fresh = newClient(group);
        if (client.compareAndSet(failed, fresh)) {
            closeQuietly(failed);
        } else {
            closeQuietly(fresh);
        }
    }

    static void closeQuietly(RaftClient c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing a Raft client failed", e);
        }
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly(client.get());
    }
}
