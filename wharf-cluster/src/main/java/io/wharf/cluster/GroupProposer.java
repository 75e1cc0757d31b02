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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends commands to one Raft group's leader, wherever it is, following it through failovers
 * until a deadline. {@link #propose} gathers the commands that arrive while a few entries are
 * on their way into the next entry ({@link CommandBatch}), as a log's writer gathers appends
 * into one write: the Raft round each entry costs is then shared.
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

    // One entry on its way at a time; the commands that arrive meanwhile go together in the next.
    // Measured on two cores with three nodes, the Raft round is bound by fsyncs, not by the bytes:
    // 16 appends in flight went through at ~1,000/s this way, ~400/s one entry each, ~650/s with
    // four entries on their way.
    private static final int ENTRIES_IN_FLIGHT = 1;
    private static final int ENTRY_BYTES = 1 << 20;

    private final RaftGroup group;
    private final Object gathering = new Object();
    // Guarded by gathering.
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int entriesInFlight;
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

    private record Waiting(byte[] command, CompletableFuture<byte[]> answer) {
    }

    /**
     * Proposes {@code command} in an entry with whatever else is waiting; the future completes
     * with its own answer (empty if its entry was applied before the leader restarted), or
     * fails as the entry's proposal failed. For groups whose state machine takes
     * {@link CommandBatch} entries.
     */
    CompletableFuture<byte[]> propose(byte[] command) {
        Waiting w = new Waiting(command, new CompletableFuture<>());
        List<Waiting> entry;
        synchronized (gathering) {
            waiting.add(w);
            entry = nextEntry();
        }
        if (entry != null) {
            sendEntry(entry);
        }
        return w.answer();
    }

    /** The commands of the next entry, if one may go now. Under {@code gathering}. */
    private List<Waiting> nextEntry() {
        if (waiting.isEmpty() || entriesInFlight >= ENTRIES_IN_FLIGHT) {
            return null;
        }
        entriesInFlight++;
        List<Waiting> entry = new ArrayList<>();
        int bytes = 0;
        while (!waiting.isEmpty() && (entry.isEmpty() || bytes + waiting.peek().command().length <= ENTRY_BYTES)) {
            Waiting next = waiting.poll();
            bytes += next.command().length;
            entry.add(next);
        }
        return entry;
    }

    private void sendEntry(List<Waiting> entry) {
        send(CommandBatch.encode(entry.stream().map(Waiting::command).toList())).whenComplete((reply, e) -> {
            try {
                answer(entry, reply, e);
            } catch (RuntimeException bug) {
                // Never leave the gathering stuck: every waiting command would wait for ever.
                LOG.error("answering the commands of an entry failed", bug);
                entry.forEach(w -> w.answer().completeExceptionally(bug));
            }
            List<Waiting> next;
            synchronized (gathering) {
                entriesInFlight--;
                next = nextEntry();
            }
            if (next != null) {
                sendEntry(next);
            }
        });
    }

    private static void answer(List<Waiting> entry, RaftClientReply reply, Throwable e) {
        Throwable failed = e != null ? e : reply.isSuccess() ? null : reply.getException();
        List<byte[]> answers = List.of();
        if (failed == null) {
            byte[] content = reply.getMessage() == null ? new byte[0] : reply.getMessage().getContent().toByteArray();
            try {
                answers = content.length == 0 ? List.of() : CommandBatch.decode(content);
            } catch (IllegalArgumentException bad) {
                failed = bad;
            }
        }
        for (int i = 0; i < entry.size(); i++) {
            CompletableFuture<byte[]> answer = entry.get(i).answer();
            if (failed != null) {
                answer.completeExceptionally(failed);
            } else {
                answer.complete(i < answers.size() ? answers.get(i) : new byte[0]);
            }
        }
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
