package io.wharf.protocol.common;

import io.netty.channel.Channel;
import io.wharf.core.session.PublishGate;

import java.util.HashSet;
import java.util.Set;

/**
 * Stops reading from a connection while any of several reasons holds (a publish gate, a session
 * still being set up, a channel waiting for the broker) and reads again when the last one ends.
 * Stopping reads is how a protocol without a "slow down" message holds a client back: TCP's own
 * window then stops the client's writes.
 *
 * <p>Confined to the channel's event loop.
 */
public final class ReadPauses {

    private final Channel channel;
    private final Set<Object> reasons = new HashSet<>();

    public ReadPauses(Channel channel) {
        this.channel = channel;
    }

    public void pause(Object why) {
        if (reasons.add(why) && reasons.size() == 1) {
            channel.config().setAutoRead(false);
        }
    }

    public void resume(Object why) {
        if (reasons.remove(why) && reasons.isEmpty() && channel.isActive()) {
            channel.config().setAutoRead(true);
        }
    }

    /** A publish gate's valve that only stops reading: for protocols that cannot tell the client why. */
    public PublishGate.Valve valve() {
        return new PublishGate.Valve() {
            @Override
            public void close(PublishGate.Cause cause, String reason) {
                pause(cause);
            }

            @Override
            public void open(PublishGate.Cause cause) {
                resume(cause);
            }
        };
    }
}
