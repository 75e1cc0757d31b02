package io.wharf.core.session;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Room for deliveries a client has not settled yet, by count and by bytes: AMQP's prefetch (per
 * consumer, nested in the channel's global one), a STOMP subscription's prefetch, an MQTT
 * connection's in-flight window. A limit of zero means none. A window with a parent takes room
 * in both or in neither, so a consumer's delivery also counts against its channel.
 *
 * <p>As RabbitMQ's prefetch size, the byte limit always lets one delivery through, however
 * large: a message bigger than the limit would otherwise never be delivered.
 *
 * <p>Thread-safe and lock-free: queue threads take room, the connection's loop gives it back.
 */
public final class CreditWindow {

    private final CreditWindow parent;
    private final boolean countsBytes;
    private volatile int maxCount;
    private volatile long maxBytes;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * @param maxCount deliveries that may be unsettled at once, 0 for no limit
     * @param maxBytes bytes of bodies that may be unsettled at once, 0 for no limit
     * @param parent   a window each delivery also takes room in, or null
     */
    public CreditWindow(int maxCount, long maxBytes, CreditWindow parent) {
        this(maxCount, maxBytes, parent, true);
    }

    private CreditWindow(int maxCount, long maxBytes, CreditWindow parent, boolean countsBytes) {
        this.maxCount = Math.max(0, maxCount);
        this.maxBytes = Math.max(0, maxBytes);
        this.parent = parent;
        this.countsBytes = countsBytes;
    }

    /** A window without limits until {@link #resize resized}: it counts deliveries and bytes. */
    public static CreditWindow unlimited() {
        return new CreditWindow(0, 0, null);
    }

    /** A window of at most {@code maxCount} deliveries (0: no limit) that ignores their size. */
    public static CreditWindow ofCount(int maxCount) {
        return new CreditWindow(maxCount, 0, null, false);
    }

    /** Takes room for one delivery of {@code bodyBytes}, here and in the parent; false, taking nothing, if either is full. */
    public boolean tryTake(int bodyBytes) {
        if (!takeHere(bodyBytes)) {
            return false;
        }
        if (parent != null && !parent.tryTake(bodyBytes)) {
            giveBackHere(1, bodyBytes);
            return false;
        }
        return true;
    }

    private boolean takeHere(int bodyBytes) {
        int limit = maxCount;
        while (true) {
            int n = count.get();
            if (limit > 0 && n >= limit) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                break;
            }
        }
        if (!countsBytes) {
            return true;
        }
        long size = maxBytes;
        while (true) {
            long b = bytes.get();
            if (size > 0 && b > 0 && b + bodyBytes > size) {
                count.decrementAndGet();
                return false;
            }
            if (bytes.compareAndSet(b, b + bodyBytes)) {
                return true;
            }
        }
    }

    /**
     * Gives back the room of {@code deliveries} settled deliveries of {@code bodyBytes} in all,
     * here and in the parent.
     *
     * @return whether a delivery may have been refused room before: the queues should offer again
     */
    public boolean giveBack(int deliveries, long bodyBytes) {
        boolean wasFull = giveBackHere(deliveries, bodyBytes);
        if (parent != null) {
            wasFull |= parent.giveBack(deliveries, bodyBytes);
        }
        return wasFull;
    }

    private boolean giveBackHere(int deliveries, long bodyBytes) {
        int before = count.getAndAdd(-deliveries);
        if (countsBytes) {
            bytes.addAndGet(-bodyBytes);
        }
        int limit = maxCount;
        return (limit > 0 && before >= limit) || maxBytes > 0;
    }

    /** Changes the limits (AMQP basic.qos); room already taken stays taken. A window of count only keeps ignoring sizes. */
    public void resize(int maxCount, long maxBytes) {
        this.maxCount = Math.max(0, maxCount);
        this.maxBytes = countsBytes ? Math.max(0, maxBytes) : 0;
    }

    /** Deliveries holding room now. */
    public int taken() {
        return count.get();
    }

    public int maxCount() {
        return maxCount;
    }

    /** Whether the window limits anything, by count or by bytes. */
    public boolean limited() {
        return maxCount > 0 || maxBytes > 0;
    }
}
