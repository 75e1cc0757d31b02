package io.wharf.protocol.amqp;

import java.util.TreeSet;

/**
 * Publisher confirms of one channel: numbers publishes from 1, and turns their completions, which
 * arrive in any order, into as few basic.ack frames as possible. An ack with multiple=true covers
 * every number up to it, so it is sent only for a prefix of completed numbers; a nack goes out at
 * once for its own number.
 *
 * <p>Confined to the connection's event loop.
 */
final class ConfirmTracker {

    /** Where acks and nacks go. */
    interface Sender {
        void ack(long seq, boolean multiple);

        void nack(long seq);
    }

    private final Sender sender;
    private final TreeSet<Long> outstanding = new TreeSet<>();
    private final TreeSet<Long> completed = new TreeSet<>();
    private long next = 1;

    ConfirmTracker(Sender sender) {
        this.sender = sender;
    }

    /** Numbers a publish. */
    long register() {
        long seq = next++;
        outstanding.add(seq);
        return seq;
    }

    void complete(long seq, boolean ok) {
        if (!outstanding.remove(seq)) {
            return;
        }
        if (!ok) {
            sender.nack(seq);
        } else {
            completed.add(seq);
        }
        flush();
    }

    private void flush() {
        long low = outstanding.isEmpty() ? Long.MAX_VALUE : outstanding.first();
        Long upTo = completed.lower(low);
        if (upTo == null) {
            return;
        }
        int count = completed.headSet(upTo, true).size();
        sender.ack(upTo, count > 1 || completed.first() < upTo);
        completed.headSet(upTo, true).clear();
    }

    /** Publishes still waiting for their confirm. */
    int pending() {
        return outstanding.size() + completed.size();
    }
}
